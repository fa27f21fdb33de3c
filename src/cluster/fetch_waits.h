// FetchWaits: the leader's side of the followers' long poll (FetchRequest::
// max_wait_ms). A fetch that finds nothing new is parked here, by shard,
// until the shard's leader has new records durable in its log (Wake()) or
// its wait runs out; then it is asked again and answered. The asking and
// answering run on the waits' own thread, never on the thread that wakes
// them (a group-commit thread) nor on an event loop.
//
// A wake between a fetch's first look and its parking is not lost: Park()
// takes the shard's wake count read before that look (Generation()) and
// runs the fetch again at once when it has moved.
//
// Threading: every method is thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "cluster/shard_leadership.h"

namespace sluice::cluster {

class FetchWaits {
 public:
  // Runs the fetch again; `last` says the wait is over (answer whatever it
  // finds). Returns true when it answered, false to be parked again.
  using Retry = std::function<bool(bool last)>;

  FetchWaits();
  ~FetchWaits();  // Stop()s

  // The shard's wake count, to read before a fetch's first look.
  uint64_t Generation(const ShardId& shard);
  // Parks `retry` until the shard's next wake (or now, when it was woken
  // since `generation`) or until `deadline_ms` (monotonic). After Stop(),
  // runs it at once with last = true.
  void Park(const ShardId& shard, uint64_t generation, int64_t deadline_ms, Retry retry);
  // New records of `shard` are there to fetch. Quick: it only marks.
  void Wake(const ShardId& shard);
  // Answers every parked fetch (last = true) and ends the thread. Idempotent.
  void Stop();

 private:
  struct Parked {
    int64_t deadline_ms;
    Retry retry;
  };
  void Loop();

  std::mutex mu_;
  std::condition_variable changed_;
  std::map<ShardId, uint64_t> generations_;
  std::map<ShardId, std::vector<Parked>> parked_;
  std::vector<ShardId> woken_;  // shards with parked fetches to run again
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sluice::cluster
