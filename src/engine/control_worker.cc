#include "engine/control_worker.h"

#include <utility>

namespace sluice::engine {

void ControlWorker::Submit(std::function<void()> job) {
  if (!TrySubmit(job)) job();
}

bool ControlWorker::TrySubmit(std::function<void()> job) {
  std::lock_guard lock(mu_);
  if (stopped_) return false;
  jobs_.push_back(std::move(job));
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  wake_.notify_one();
  return true;
}

void ControlWorker::WaitIdle() {
  std::unique_lock lock(mu_);
  idle_.wait(lock, [&] { return jobs_.empty() && !running_job_; });
}

void ControlWorker::Stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void ControlWorker::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return stopped_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopped, and every queued job has run
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    running_job_ = true;
    lock.unlock();
    job();
    lock.lock();
    running_job_ = false;
    if (jobs_.empty()) idle_.notify_all();
  }
}

}  // namespace sluice::engine
