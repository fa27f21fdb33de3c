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
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "engine/types.h"
#include "util/status.h"

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

}  // namespace sluice::engine
