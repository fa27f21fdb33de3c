// The delivery thread of push subscriptions (engine/subscriptions.h):
// ShardSubscription is a subscription's state, SubscriptionHub runs the ones
// that are due, one at a time, on its own thread. Internal to the engine.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "engine/stream_state.h"
#include "engine/subscriptions.h"
#include "util/clock.h"
#include "util/token_bucket.h"

namespace sluice::engine {

class SubscriptionHub;

class ShardSubscription final : public Subscription,
                                public ShardWaiter,
                                public std::enable_shared_from_this<ShardSubscription> {
 public:
  ShardSubscription(SubscriptionHub* hub, std::shared_ptr<SubscriptionSink> sink) : hub_(hub), sink_(std::move(sink)) {}

  // Subscription
  void Start() override;
  void Wake() override;
  void Cancel() override;
  // ShardWaiter
  void OnShardChanged() override;

  // Ends the subscription with `status` (a takeover) at its next run.
  void Terminate(Status status);

  // --- set before Start, then used by the delivery thread only ---
  std::string key;  // consumer ARN + shard index: one subscription each
  std::string consumer_arn;
  StreamRef stream;
  int64_t stream_creation_ms = 0;
  int shard_index = 0;
  std::weak_ptr<ShardState> shard;
  uint64_t position = 0;  // next offset to deliver
  int64_t started_ms = 0;
  int64_t expires_ms = 0;
  int64_t next_heartbeat_ms = 0;
  bool sent_first = false;
  bool finished = false;  // the delivery thread is done with it
  // Pacing at the fan-out quota (bytes per second), when limits are set.
  std::optional<TokenBucket> fanout;

  // --- written by the delivery thread, read by EngineMetrics ---
  std::atomic<int64_t> millis_behind_latest{0};
  std::atomic<int64_t> last_event_ms{0};
  std::atomic<uint64_t> records_sent{0};

  SubscriptionSink& sink() { return *sink_; }
  bool started() const { return started_.load(std::memory_order_acquire); }
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  std::optional<Status> TakeTermination();

 private:
  friend class SubscriptionHub;
  SubscriptionHub* hub_;
  std::shared_ptr<SubscriptionSink> sink_;
  std::atomic<bool> started_{false};
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> scheduled_{false};  // in the hub's ready queue
  int64_t timer_ms_ = 0;                // guarded by the hub's mutex; 0: none
  std::mutex mu_;
  std::optional<Status> termination_;  // guarded by mu_
};

class SubscriptionHub {
 public:
  using RunFn = std::function<void(ShardSubscription&)>;
  SubscriptionHub(const Clock* clock, RunFn run) : clock_(clock), run_(std::move(run)) {}
  ~SubscriptionHub() { Stop(); }

  void Start();
  // Joins the thread; subscriptions still open are left to their sinks'
  // owners (the server closes them first).
  void Stop();

  // Runs `s` soon (coalesced: at most once in the ready queue).
  void Schedule(const std::shared_ptr<ShardSubscription>& s);
  // Runs `s` at clock time `when_ms` unless it has an earlier timer already.
  void ScheduleAt(const std::shared_ptr<ShardSubscription>& s, int64_t when_ms);

 private:
  void Loop();

  const Clock* clock_;
  RunFn run_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::weak_ptr<ShardSubscription>> ready_;               // guarded by mu_
  std::multimap<int64_t, std::weak_ptr<ShardSubscription>> timers_;  // guarded by mu_
  bool stop_ = false;                                                // guarded by mu_
  std::thread thread_;
};

}  // namespace sluice::engine
