// Subscriptions (engine/subscriptions.h): SubscribeToShard on the engine
// side, starting a subscription (position, takeover rules) and running it on
// the delivery thread.
#include "engine/subscriptions.h"

#include <algorithm>
#include <limits>
#include <shared_mutex>
#include <tuple>

#include "engine/consumer_arn.h"
#include "engine/engine_impl.h"  // EngineOptions, the shared not-found messages
#include "engine/sequence_number.h"
#include "engine/subscription_hub.h"
#include "util/log.h"

namespace sluice::engine {
namespace {

// Raw record bytes per event: base64 in a JSON event grows them by 4/3, which
// keeps an event's payload near the protocol's 2 MiB budget (one record
// larger than this still travels alone).
constexpr size_t kMaxEventRecordBytes = 1536u << 10;
constexpr int kMaxEventRecords = 10000;
// Events one run may send before letting other subscriptions go.
constexpr int kEventsPerRun = 4;
// The expiry of a subscription that has no lifetime (a group member's).
constexpr int64_t kNoLifetime = std::numeric_limits<int64_t>::max();

}  // namespace

Subscriptions::Subscriptions(const EngineOptions& options, const Clock& clock, const IteratorCodec& codec,
                             RecordPath& records, const StreamLookup& streams)
    : options_(options),
      limits_on_(options.limits.Any()),
      clock_(clock),
      codec_(codec),
      records_(records),
      streams_(streams),
      hub_(std::make_unique<SubscriptionHub>(&clock, [this](ShardSubscription& s) { Run(s); })) {}

Subscriptions::~Subscriptions() { Stop(); }

void Subscriptions::Start() { hub_->Start(); }
void Subscriptions::Stop() { hub_->Stop(); }

Result<std::shared_ptr<ShardSubscription>> Subscriptions::Open(const StreamRef& stream, std::string_view shard_id,
                                                               IteratorType type,
                                                               std::optional<std::string_view> starting_sequence_number,
                                                               std::optional<int64_t> timestamp_ms,
                                                               std::shared_ptr<SubscriptionSink> sink) {
  // The starting position follows GetShardIterator's rules and messages.
  SLUICE_ASSIGN_OR_RETURN(std::string token,
                          records_.GetShardIterator(stream, shard_id, type, starting_sequence_number, timestamp_ms));
  SLUICE_ASSIGN_OR_RETURN(IteratorPosition pos, codec_.Decode(token));
  const int index = static_cast<int>(pos.shard_index);
  std::shared_ptr<ShardState> shard;
  {
    std::shared_ptr<StreamState> state = streams_.Find(stream);
    if (!state) return Status::NotFound(StreamNotFoundMessage(stream));
    std::shared_lock lock(state->mu);
    if (index >= static_cast<int>(state->shards.size())) {
      return Status::NotFound(ShardNotFoundMessage(stream, shard_id));
    }
    shard = state->shards[index];
  }
  const int64_t now = Now();
  auto sub = std::make_shared<ShardSubscription>(hub_.get(), std::move(sink));
  sub->stream = stream;
  sub->stream_creation_ms = pos.stream_creation_ms;
  sub->shard_index = index;
  sub->shard = shard;
  sub->position = pos.offset;
  sub->started_ms = now;
  sub->expires_ms = now + options_.subscription_lifetime_ms;
  sub->next_heartbeat_ms = now + options_.subscription_heartbeat_ms;
  return sub;
}

Result<std::shared_ptr<Subscription>> Subscriptions::SubscribeForGroup(
    const StreamRef& stream, std::string_view shard_id, IteratorType type,
    std::optional<std::string_view> starting_sequence_number, std::string label,
    std::shared_ptr<SubscriptionSink> sink) {
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<ShardSubscription> sub,
                          Open(stream, shard_id, type, starting_sequence_number, std::nullopt, std::move(sink)));
  // Not registered by key: the coordinator keeps one reader per shard.
  sub->consumer_arn = std::move(label);
  sub->expires_ms = kNoLifetime;
  std::shared_ptr<ShardState> shard = sub->shard.lock();
  if (shard) shard->waiters.Add(sub);
  return std::shared_ptr<Subscription>(sub);
}

Result<std::shared_ptr<Subscription>> Subscriptions::SubscribeToShard(
    const ConsumerRef& consumer, std::string_view shard_id, IteratorType type,
    std::optional<std::string_view> starting_sequence_number, std::optional<int64_t> timestamp_ms,
    std::shared_ptr<SubscriptionSink> sink) {
  SLUICE_ASSIGN_OR_RETURN(
      std::shared_ptr<ShardSubscription> sub,
      Open(consumer.stream, shard_id, type, starting_sequence_number, timestamp_ms, std::move(sink)));
  const int index = sub->shard_index;
  std::shared_ptr<ShardState> shard = sub->shard.lock();
  const int64_t now = sub->started_ms;
  const std::string consumer_arn = ConsumerArn(consumer.stream, consumer.consumer_name, consumer.consumer_creation_ms);
  sub->key = consumer_arn + "#" + std::to_string(index);
  sub->consumer_arn = consumer_arn;
  if (limits_on_ && options_.limits.fanout_bytes > 0) {
    sub->fanout = TokenBucket(options_.limits.fanout_bytes, options_.limits.fanout_bytes, now);
  }
  {
    std::lock_guard lock(mu_);
    if (limits_on_ && options_.limits.subscribe_calls > 0) {
      // One call per second per consumer and shard (at the default figure),
      // counted whether or not the call then succeeds.
      const double rate = options_.limits.subscribe_calls;
      // Consumers come and go (each registration a new ARN): idle entries go.
      SweepFullBuckets(subscribe_calls_, now, &subscribe_calls_sweep_at_);
      auto [calls, fresh] = subscribe_calls_.try_emplace(sub->key, rate, std::max(1.0, rate), now);
      if (!calls->second.TryTake(1, now)) {
        return Status(ErrorCode::kLimitExceeded,
                      "Rate exceeded for consumer " + consumer_arn + " and shard " + ShardIdFor(index) + ".");
      }
    }
    auto it = subscriptions_.find(sub->key);
    if (it != subscriptions_.end()) {
      std::shared_ptr<ShardSubscription> old = it->second.lock();
      if (old && !old->cancelled() && now - old->started_ms < options_.subscription_takeover_ms) {
        return Status::InUse("Another active subscription exists for this consumer: " + consumer_arn);
      }
      if (old) {
        old->Terminate(Status::InUse("This subscription of consumer " + consumer_arn + " to shard " +
                                     ShardIdFor(index) + " was replaced by a newer SubscribeToShard call."));
      }
    }
    subscriptions_[sub->key] = sub;
  }
  shard->waiters.Add(sub);
  return std::shared_ptr<Subscription>(sub);
}

void Subscriptions::Finish(ShardSubscription& sub) {
  sub.finished = true;
  if (std::shared_ptr<ShardState> shard = sub.shard.lock()) shard->waiters.Remove(&sub);
  std::lock_guard lock(mu_);
  auto it = subscriptions_.find(sub.key);
  if (it != subscriptions_.end()) {
    std::shared_ptr<ShardSubscription> current = it->second.lock();
    if (!current || current.get() == &sub) subscriptions_.erase(it);
  }
}

void Subscriptions::End(ShardSubscription& sub, const Status& status) {
  // Unregistered first: a client that resubscribes as soon as its stream
  // ends must not find the old subscription still in place.
  Finish(sub);
  sub.sink().End(status);
}

void Subscriptions::Run(ShardSubscription& sub) {
  if (sub.finished) return;
  if (sub.cancelled()) return Finish(sub);
  if (!sub.started()) return;
  SubscriptionSink& sink = sub.sink();
  if (std::optional<Status> replaced = sub.TakeTermination()) {
    return End(sub, *replaced);
  }
  const int64_t now = Now();
  if (now >= sub.expires_ms) {
    return End(sub, Status::Ok());
  }

  for (int sent = 0; sent < kEventsPerRun; ++sent) {
    if (!sink.Ready()) {
      // The sink wakes us once it has room; the lifetime runs on regardless,
      // so a client that stops reading still sees its subscription end.
      if (sub.expires_ms != kNoLifetime) hub_->ScheduleAt(sub.shared_from_this(), sub.expires_ms);
      return;
    }
    if (sub.fanout) {
      // Over the fan-out quota: nothing more until the debt is repaid.
      const int64_t wait = sub.fanout->MillisUntil(0, now);
      if (wait > 0) {
        hub_->ScheduleAt(sub.shared_from_this(), std::min(sub.expires_ms, now + wait));
        return;
      }
    }
    Result<ShardView> view = records_.LoadShardView(sub.stream, sub.stream_creation_ms, sub.shard_index);
    if (!view.ok()) {
      return End(sub, view.status());
    }
    SubscriptionEvent event;
    bool at_end = false;
    {
      std::shared_lock life(view->shard->life);
      Result<ShardRead> read = ShardRead{};
      if (view->shard->log) {
        read = records_.ReadShardLocked(*view, sub.position, kMaxEventRecords, kMaxEventRecordBytes, now);
      } else if (view->meta.open()) {
        return End(sub, Status::NotFound(ShardNotFoundMessage(sub.stream, ShardIdFor(sub.shard_index))));
      } else {
        read->at_closed_end = true;  // a short-lived shard: empty, closed
      }
      if (!read.ok()) {
        log::Error("engine: subscription to {} of stream {}: {}", ShardIdFor(sub.shard_index), sub.stream.name,
                   read.status().ToString());
        return End(sub, Status(ErrorCode::kInternalFailure, "Internal Service Failure"));
      }
      at_end = read->at_closed_end;
      const bool has_records = !read->result.records.empty();
      const bool heartbeat_due = options_.subscription_heartbeat_ms > 0 && now >= sub.next_heartbeat_ms;
      if (!has_records && !at_end && sub.sent_first && !heartbeat_due) break;  // idle
      event.batch = std::move(read->result);
      sub.position = std::max(sub.position, read->next);
      if (!at_end || has_records) {
        // Resume after the last record delivered (or where we stand): the
        // counter of a position is the offset of the record after it.
        SequenceFields f;
        f.shard_created_seconds = view->meta.created_seconds;
        f.shard_index = static_cast<uint32_t>(sub.shard_index);
        f.counter = sub.position;
        f.record_seconds = has_records ? event.batch.records.back().arrival_ms / 1000 : view->meta.created_seconds;
        event.continuation_sequence_number = SequenceNumberString(f);
        at_end = at_end && !has_records;  // the children go in an event of their own
      }
      if (at_end) event.batch.child_shards = view->children;
    }
    const size_t records_sent = event.batch.records.size();
    if (!sink.Send(event)) return Finish(sub);
    if (sub.fanout) {
      size_t bytes = 0;
      for (const Record& r : event.batch.records) bytes += r.partition_key.size() + r.data.size();
      sub.fanout->Charge(static_cast<double>(bytes), now);
    }
    ShardCounters& counters = view->shard->counters.Get();
    counters.subscribe_events.fetch_add(1, std::memory_order_relaxed);
    counters.subscribe_records.fetch_add(records_sent, std::memory_order_relaxed);
    sub.sent_first = true;
    sub.next_heartbeat_ms = now + options_.subscription_heartbeat_ms;
    sub.millis_behind_latest.store(event.batch.millis_behind_latest, std::memory_order_relaxed);
    sub.last_event_ms.store(now, std::memory_order_relaxed);
    sub.records_sent.fetch_add(records_sent, std::memory_order_relaxed);
    if (at_end) {
      return End(sub, Status::Ok());
    }
    if (event.batch.records.empty()) break;
    if (sent + 1 == kEventsPerRun) {
      hub_->Schedule(sub.shared_from_this());  // more may wait: after the others
      break;
    }
  }
  const int64_t wake_at =
      options_.subscription_heartbeat_ms > 0 ? std::min(sub.expires_ms, sub.next_heartbeat_ms) : sub.expires_ms;
  if (wake_at != kNoLifetime) hub_->ScheduleAt(sub.shared_from_this(), wake_at);
}

void Subscriptions::AddMetrics(EngineMetrics* out) const {
  {
    std::lock_guard lock(mu_);
    // A subscription whose client left stays registered until the delivery
    // thread next runs it; it is no longer active.
    for (const auto& [key, weak] : subscriptions_) {
      std::shared_ptr<ShardSubscription> sub = weak.lock();
      if (!sub || sub->cancelled()) continue;
      ++out->active_subscriptions;
      SubscriptionMetrics m;
      m.stream = sub->stream;
      m.consumer_arn = sub->consumer_arn;
      m.shard_id = ShardIdFor(sub->shard_index);
      m.started_ms = sub->started_ms;
      m.millis_behind_latest = sub->millis_behind_latest.load(std::memory_order_relaxed);
      m.last_event_ms = sub->last_event_ms.load(std::memory_order_relaxed);
      m.records_sent = sub->records_sent.load(std::memory_order_relaxed);
      out->subscriptions.push_back(std::move(m));
    }
  }
  std::sort(out->subscriptions.begin(), out->subscriptions.end(),
            [](const SubscriptionMetrics& a, const SubscriptionMetrics& b) {
              return std::tie(a.stream.account, a.stream.region, a.stream.name, a.consumer_arn, a.shard_id) <
                     std::tie(b.stream.account, b.stream.region, b.stream.name, b.consumer_arn, b.shard_id);
            });
}

}  // namespace sluice::engine
