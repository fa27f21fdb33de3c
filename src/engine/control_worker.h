// ControlWorker: the thread that does the control plane's long work off the
// callers' threads (the server's event loops): building the shard logs of a
// large new stream, destroying the logs of a deleted one. Jobs run one at a
// time, in the order submitted.
//
// Ownership: owned by the Engine. Its thread starts with the first job.
//
// Threading: thread-safe. Stop() runs the jobs already queued, then joins;
// a job submitted after Stop() runs at once on the caller's thread, and one
// offered by TrySubmit() is refused.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace sluice::engine {

class ControlWorker {
 public:
  ControlWorker() = default;
  ~ControlWorker() { Stop(); }
  ControlWorker(const ControlWorker&) = delete;
  ControlWorker& operator=(const ControlWorker&) = delete;

  void Submit(std::function<void()> job);
  // Queues `job` and returns true, or returns false without running it once
  // stopped: for a job that must not run on the caller's thread (it takes a
  // lock the caller holds).
  bool TrySubmit(std::function<void()> job);
  // Blocks until every job submitted so far has run.
  void WaitIdle();
  void Stop();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable wake_;            // a job arrived, or stopping
  std::condition_variable idle_;            // the queue ran dry
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  bool running_job_ = false;                // guarded by mu_
  bool stopped_ = false;                    // guarded by mu_
  std::thread thread_;
};

}  // namespace sluice::engine
