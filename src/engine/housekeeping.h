// Housekeeping: the engine's housekeeping thread and its pass. A pass
// settles, under the control lock, the stream transitions that are due
// (StreamControl::SettleLocked: CREATING/UPDATING -> ACTIVE, pending
// reshards, DELETING -> gone) and then the consumers'
// (ConsumerRegistry::SettleLocked); then, at most once every
// retention_check_interval_ms, it walks every shard: trims its log past its
// stream's retention, and unloads it when idle for shard_idle_unload_ms with
// no subscription waiting on it. Between passes the thread sleeps until the next due work, at
// most the retention interval, or until Kick().
//
// Ownership: owned by the Engine; holds references to the engine's options,
// clock, stream registry, control plane and consumer registry, which
// outlive it.
//
// Threading: Kick() may be called from any thread (the control-plane parts
// call it when they schedule a transition). One pass runs at a time; tests
// driving a ManualClock may run one directly (Engine::RunHousekeeping).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "engine/consumer_registry.h"
#include "engine/stream_control.h"
#include "engine/stream_table.h"
#include "util/clock.h"

namespace sluice::engine {

struct EngineOptions;

class Housekeeping {
 public:
  Housekeeping(const EngineOptions& options, const Clock& clock, StreamRegistry& streams, StreamControl& control,
               ConsumerRegistry& consumers);
  ~Housekeeping();  // Stop()

  // Starts the thread; a no-op while it runs or once stopped.
  void Start();
  // Stops and joins the thread; a retention pass under way ends at the next
  // shard (a pass over 100,000 shards that recovers each would otherwise hold
  // the stop for tens of seconds). Returns false when it was already stopped
  // (so the caller's own shutdown runs once); a later Start() does nothing.
  bool Stop();
  // Wakes the thread for a pass now.
  void Kick();
  // Runs one pass; returns the clock time of the next due work.
  int64_t RunPass();
  // Shard logs unloaded as idle since the start.
  uint64_t UnloadCount() const { return unloads_.load(std::memory_order_relaxed); }

 private:
  // Trims every shard log past its stream's retention at `now` and unloads
  // the idle ones; returns early once Stop() was called.
  void WalkShards(int64_t now);
  // Unloads `shard`'s log if idle and nothing waits on it; never waits for
  // a call in flight on it.
  void UnloadIfIdle(ShardState& shard);

  const EngineOptions& options_;
  const Clock& clock_;
  StreamRegistry& streams_;
  StreamControl& control_;
  ConsumerRegistry& consumers_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::thread thread_;
  bool stop_ = false;     // guarded by mu_
  bool kicked_ = false;   // guarded by mu_
  bool stopped_ = false;  // guarded by mu_
  // Set by Stop(); the retention pass reads it between shards.
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> unloads_{0};

  std::mutex pass_mu_;             // one pass at a time
  int64_t next_retention_ms_ = 0;  // guarded by pass_mu_
};

}  // namespace sluice::engine
