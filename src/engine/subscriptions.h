// Push delivery for SubscribeToShard: the engine side of a subscription.
//
// A subscription is a waiter on one shard. Appends wake it (the shard's
// waiters are notified once the records are visible: after the fsync in
// fsync mode), and one delivery thread then reads from the subscription's
// position and hands events to its sink; there is no polling loop, and an
// idle subscription costs nothing but a heartbeat timer. The sink (the API
// layer's event-stream encoder) says when it has no room, and the
// subscription stops reading until the sink wakes it: a slow subscriber
// falls behind and catches up from the log, it is never buffered for.
//
// Lifetime (the service's rules): a subscription ends cleanly after
// EngineOptions::subscription_lifetime_ms (5 minutes); an empty event goes
// out every subscription_heartbeat_ms while idle so the continuation moves
// on; at the end of a closed shard one last event carries ChildShards and no
// continuation. A second SubscribeToShard for the same consumer and shard
// within subscription_takeover_ms of the first is refused
// (ResourceInUseException); a later one takes over and the older ends with
// ResourceInUseException.
//
// Subscriptions is the engine's part that starts and runs them; the API
// layer reaches it as Engine::subscriptions(). The delivery thread and a
// subscription's state are in engine/subscription_hub.h.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "engine/engine_metrics.h"
#include "engine/record_path.h"
#include "engine/shard_iterator.h"
#include "engine/types.h"
#include "util/clock.h"
#include "util/status.h"
#include "util/token_bucket.h"

namespace sluice::engine {

// One SubscribeToShardEvent.
struct SubscriptionEvent {
  // Records (possibly none), millis_behind_latest, and child_shards at the
  // end of a closed shard; next_shard_iterator is unused.
  GetRecordsResult batch;
  // Where a new subscription resumes (AFTER_SEQUENCE_NUMBER); absent only in
  // the last event of a closed shard.
  std::optional<std::string> continuation_sequence_number;
};

// Where a subscription's events go. Called on the engine's delivery thread,
// one call at a time.
class SubscriptionSink {
 public:
  virtual ~SubscriptionSink() = default;
  // Sends one event. False when the subscriber is gone: the subscription ends.
  virtual bool Send(const SubscriptionEvent& event) = 0;
  // Whether the subscriber has room for another event now. When false, the
  // sink calls Subscription::Wake once room returns.
  virtual bool Ready() = 0;
  // The subscription is over: OK (its lifetime ended, or the shard ended), or
  // an error to report to the subscriber (ResourceInUse on takeover,
  // ResourceNotFound when the stream or consumer went away, InternalFailure).
  // No call follows.
  virtual void End(const Status& status) = 0;
};

// The handle the API layer keeps for a subscription.
class Subscription {
 public:
  virtual ~Subscription() = default;
  // Begins delivery (once the response has started).
  virtual void Start() = 0;
  // The sink has room again.
  virtual void Wake() = 0;
  // The subscriber went away: the sink is called no more.
  virtual void Cancel() = 0;
};

class ShardSubscription;
class SubscriptionHub;
struct EngineOptions;

// Ownership: owned by the Engine; holds references to the engine's options,
// clock, iterator codec, data path and stream table, which outlive it. It
// owns the delivery thread.
//
// Threading: SubscribeToShard and AddMetrics are thread-safe (one internal
// lock over the subscriptions by (consumer, shard) and the call rates); the
// subscriptions run on the delivery thread, one at a time. A read takes the
// locks RecordPath takes.
class Subscriptions {
 public:
  Subscriptions(const EngineOptions& options, const Clock& clock, const IteratorCodec& codec, RecordPath& records,
                const StreamLookup& streams);
  ~Subscriptions();  // Stop()

  // Starts a push subscription of `consumer` (resolved and ACTIVE) to the
  // shard, from the position GetShardIterator would give (same errors and
  // messages), delivering to `sink` once the handle's Start() is called.
  // ResourceInUse when the same consumer subscribed to the shard less than
  // subscription_takeover_ms ago; an older subscription is otherwise
  // replaced (it ends with ResourceInUse). LimitExceeded past the
  // subscribe-calls quota, when limits are set.
  Result<std::shared_ptr<Subscription>> SubscribeToShard(const ConsumerRef& consumer, std::string_view shard_id,
                                                         IteratorType type,
                                                         std::optional<std::string_view> starting_sequence_number,
                                                         std::optional<int64_t> timestamp_ms,
                                                         std::shared_ptr<SubscriptionSink> sink);

  // A push subscription of a consumer group's member to one of its shards
  // (SubscribeToGroup): the same delivery as SubscribeToShard, from the
  // position GetShardIterator would give (same errors), but with no
  // consumer, no lifetime, no takeover rule and no call quota; the group's
  // coordinator decides who reads the shard, and the caller Cancel()s the
  // subscription when the shard moves away. `label` names it in logs.
  Result<std::shared_ptr<Subscription>> SubscribeForGroup(const StreamRef& stream, std::string_view shard_id,
                                                          IteratorType type,
                                                          std::optional<std::string_view> starting_sequence_number,
                                                          std::string label, std::shared_ptr<SubscriptionSink> sink);

  // --- for the engine ---
  // Starts / stops and joins the delivery thread; subscriptions still open
  // are left to their sinks' owners (the server closes them first).
  void Start();
  void Stop();
  // Sets out->active_subscriptions and out->subscriptions (sorted by stream,
  // consumer ARN and shard id).
  void AddMetrics(EngineMetrics* out) const;

 private:
  // A subscription of `stream`'s shard from the position GetShardIterator
  // would give, not yet registered nor waiting on the shard.
  Result<std::shared_ptr<ShardSubscription>> Open(const StreamRef& stream, std::string_view shard_id, IteratorType type,
                                                  std::optional<std::string_view> starting_sequence_number,
                                                  std::optional<int64_t> timestamp_ms,
                                                  std::shared_ptr<SubscriptionSink> sink);
  // Runs one subscription on the delivery thread: ends it, or sends what is
  // due and sets its next timer.
  void Run(ShardSubscription& sub);
  // Unregisters a subscription the delivery thread is done with.
  void Finish(ShardSubscription& sub);
  // Finishes it, then tells its sink with `status`.
  void End(ShardSubscription& sub, const Status& status);
  int64_t Now() const { return clock_.NowMillis(); }

  const EngineOptions& options_;
  const bool limits_on_;  // options_.limits.Any()
  const Clock& clock_;
  const IteratorCodec& codec_;
  RecordPath& records_;
  const StreamLookup& streams_;
  std::unique_ptr<SubscriptionHub> hub_;

  mutable std::mutex mu_;
  // One subscription per (consumer, shard), for the takeover rule.
  std::map<std::string, std::weak_ptr<ShardSubscription>> subscriptions_;  // guarded by mu_
  // SubscribeToShard calls per (consumer, shard), when limited.
  std::map<std::string, TokenBucket> subscribe_calls_;  // guarded by mu_
  size_t subscribe_calls_sweep_at_ = 1024;              // guarded by mu_ (SweepFullBuckets)
};

}  // namespace sluice::engine
