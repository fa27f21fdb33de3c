#include "api/subscription_relay.h"

#include <algorithm>

#include "engine/sequence_number.h"
#include "util/log.h"

namespace sluice::api {
namespace {

// Whether another call, perhaps to another leader, may cure `status`.
bool Retryable(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kResourceNotFound:
    case ErrorCode::kResourceInUse:
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kValidation:
    case ErrorCode::kSerialization:
    case ErrorCode::kUnknownOperation:
    case ErrorCode::kAccessDenied:
    case ErrorCode::kMissingAuthenticationToken:
    case ErrorCode::kIncompleteSignature:
    case ErrorCode::kInvalidSignature:
    case ErrorCode::kUnrecognizedClient:
    case ErrorCode::kKmsDisabled:
    case ErrorCode::kKmsInvalidState:
    case ErrorCode::kKmsAccessDenied:
    case ErrorCode::kKmsNotFound:
    case ErrorCode::kKmsOptInRequired: return false;
    default: return true;  // InternalFailure, throttling, an expired iterator, no answer
  }
}

}  // namespace

SubscriptionRelay::SubscriptionRelay(SubscriptionRelays* relays, RelayStart start,
                                     std::shared_ptr<engine::SubscriptionSink> sink)
    : relays_(relays),
      start_(std::move(start)),
      sink_(std::move(sink)),
      last_record_seconds_(start_.shard_created_seconds) {}

void SubscriptionRelay::Begin(std::function<void(Status)> ready) {
  {
    std::lock_guard lock(mu_);
    in_flight_ = true;
  }
  gateway::ForwardedRequest request = RelayRequest(
      "GetShardIterator", GetShardIteratorBody(start_.stream, engine::ShardIdFor(start_.shard_index), start_.position),
      start_.stream);
  relays_->call_(std::move(request),
                 [self = shared_from_this(), ready = std::move(ready)](Result<gateway::ForwardedResponse> answer) {
                   Status st;
                   {
                     std::lock_guard lock(self->mu_);
                     self->in_flight_ = false;
                     st = self->TakeIterator(std::move(answer));
                   }
                   // The client's errors as the leader answered them; no answer at all is
                   // the retryable InternalFailure.
                   if (!st.ok() && st.code() >= ErrorCode::kServiceUnavailable) {
                     st = Status(ErrorCode::kInternalFailure, "Internal Service Failure");
                   }
                   ready(st);
                 });
}

void SubscriptionRelay::Start() {
  std::lock_guard lock(mu_);
  if (started_ || done_) return;
  started_ = true;
  Schedule(0);
}

void SubscriptionRelay::Wake() {
  std::lock_guard lock(mu_);
  if (!started_ || done_ || !waiting_for_room_) return;
  waiting_for_room_ = false;
  Schedule(0);
}

void SubscriptionRelay::Cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  FinishLocked();  // a pending step does nothing
}

void SubscriptionRelay::Terminate(Status status) {
  std::lock_guard lock(mu_);
  if (done_) return;
  termination_ = std::move(status);
  if (started_ && !in_flight_) Schedule(0);  // else the answer's step or Start sees it
}

void SubscriptionRelay::Schedule(int64_t delay_ms) {
  const uint64_t token = ++timer_token_;
  relays_->timers_.RunAfter(std::max<int64_t>(0, delay_ms), [self = shared_from_this(), token] { self->Step(token); });
}

std::string SubscriptionRelay::ContinuationLocked(int64_t record_seconds) const {
  engine::SequenceFields f;
  f.shard_created_seconds = start_.shard_created_seconds;
  f.shard_index = static_cast<uint32_t>(start_.shard_index);
  f.counter = position_.value_or(0);  // the counter of a position is the offset of the record after it
  f.record_seconds = record_seconds;
  return engine::SequenceNumberString(f);
}

void SubscriptionRelay::FinishLocked() {
  if (done_) return;
  done_ = true;
  ++timer_token_;
  finished_.store(true, std::memory_order_release);
  relays_->Forget(start_.label + "#" + std::to_string(start_.shard_index), this);
}

void SubscriptionRelay::End(const Status& status) {
  if (done_) return;
  FinishLocked();
  sink_->End(status);
}

void SubscriptionRelay::Step(uint64_t token) {
  NextCall next;
  {
    std::lock_guard lock(mu_);
    if (done_ || token != timer_token_ || in_flight_) return;
    // The server is going: its streams are closed by their owners.
    if (relays_->stopping()) return FinishLocked();
    if (termination_) return End(*termination_);
    const int64_t now = relays_->NowMillis();
    if (now >= start_.expires_ms) return End(Status::Ok());
    if (!sink_->Ready()) {
      // Wake resumes; the lifetime runs on regardless.
      waiting_for_room_ = true;
      Schedule(start_.expires_ms - now);
      return;
    }
    if (!iterator_) {
      next.get_iterator = true;
      RelayPosition from = start_.position;
      // After the last record delivered: its own sequence number.
      if (position_) from = {"AFTER_SEQUENCE_NUMBER", ContinuationLocked(last_record_seconds_), std::nullopt};
      next.request = RelayRequest("GetShardIterator",
                                  GetShardIteratorBody(start_.stream, engine::ShardIdFor(start_.shard_index), from),
                                  start_.stream);
    } else {
      next.request =
          RelayRequest("GetRecords", GetRecordsBody(*iterator_, relays_->options_.records_per_call), start_.stream);
    }
    in_flight_ = true;
  }
  auto self = shared_from_this();
  if (next.get_iterator) {
    relays_->call_(std::move(next.request),
                   [self](Result<gateway::ForwardedResponse> answer) { self->OnIterator(std::move(answer)); });
  } else {
    relays_->call_(std::move(next.request),
                   [self](Result<gateway::ForwardedResponse> answer) { self->OnRecords(std::move(answer)); });
  }
}

void SubscriptionRelay::OnFailure(const Status& status) {
  const int64_t now = relays_->NowMillis();
  iterator_.reset();  // the next call asks the leader of the moment where to go on
  if (!Retryable(status)) {
    log::Warn("api: relayed subscription of {} to {} of stream {} ends: {}", start_.label,
              engine::ShardIdFor(start_.shard_index), start_.stream.name, status.ToString());
    return End(status);
  }
  const RelayOptions& o = relays_->options_;
  if (!failing_since_ms_) {
    failing_since_ms_ = now;
    backoff_ms_ = o.retry_first_ms;
    log::Info("api: relayed subscription of {} to {} of stream {}: {}; retrying from the leader of the moment",
              start_.label, engine::ShardIdFor(start_.shard_index), start_.stream.name, status.ToString());
  } else {
    backoff_ms_ = std::min(o.retry_max_ms, backoff_ms_ * 2);
  }
  if (now - *failing_since_ms_ >= o.give_up_ms) {
    log::Warn("api: relayed subscription of {} to {} of stream {} ends: no leader answered for {} ms; last: {}",
              start_.label, engine::ShardIdFor(start_.shard_index), start_.stream.name, now - *failing_since_ms_,
              status.ToString());
    return End(Status(ErrorCode::kInternalFailure, "Internal Service Failure"));
  }
  Schedule(std::min(backoff_ms_, std::max<int64_t>(0, start_.expires_ms - now)));
}

Status SubscriptionRelay::TakeIterator(Result<gateway::ForwardedResponse> answer) {
  Result<std::string> iterator = answer.ok() ? ReadShardIteratorAnswer(*answer) : Result<std::string>(answer.status());
  Result<engine::IteratorPosition> at =
      iterator.ok() ? relays_->codec_.Decode(*iterator) : Result<engine::IteratorPosition>(iterator.status());
  if (!at.ok()) return at.status();
  iterator_ = std::move(iterator).value();
  position_ = at->offset;
  return Status::Ok();
}

void SubscriptionRelay::OnIterator(Result<gateway::ForwardedResponse> answer) {
  std::lock_guard lock(mu_);
  in_flight_ = false;
  if (done_) return;
  Status st = TakeIterator(std::move(answer));
  if (!st.ok()) return OnFailure(st);
  Schedule(0);
}

void SubscriptionRelay::OnRecords(Result<gateway::ForwardedResponse> answer) {
  std::lock_guard lock(mu_);
  in_flight_ = false;
  if (done_) return;
  Result<engine::GetRecordsResult> read =
      answer.ok() ? ReadGetRecordsAnswer(*answer) : Result<engine::GetRecordsResult>(answer.status());
  std::optional<engine::IteratorPosition> next_at;
  if (read.ok() && read->next_shard_iterator) {
    Result<engine::IteratorPosition> at = relays_->codec_.Decode(*read->next_shard_iterator);
    if (!at.ok()) return OnFailure(at.status());
    next_at = *at;
  }
  if (!read.ok()) return OnFailure(read.status());
  failing_since_ms_.reset();

  const int64_t now = relays_->NowMillis();
  const bool has_records = !read->records.empty();
  const bool at_end = !read->next_shard_iterator;
  const bool heartbeat_due = relays_->options_.heartbeat_ms > 0 && now >= next_heartbeat_ms_;
  iterator_ = read->next_shard_iterator;
  if (has_records) {
    std::optional<engine::SequenceFields> last =
        engine::ParseSequenceNumber(engine::ToView(read->records.back().sequence_number));
    if (!last) return OnFailure(Status(ErrorCode::kBadResponse, "the shard's leader answered a bad SequenceNumber"));
    position_ = last->counter;  // the record's counter: its offset + 1, the position after it
    last_record_seconds_ = last->record_seconds;
  }
  if (next_at) position_ = std::max(position_.value_or(0), next_at->offset);
  if (!has_records && !at_end && sent_first_ && !heartbeat_due) {
    return Schedule(std::min(relays_->options_.idle_poll_ms, start_.expires_ms - now));
  }

  std::vector<engine::ChildShard> children = std::move(read->child_shards);
  engine::SubscriptionEvent event;
  event.batch = std::move(read).value();
  event.batch.next_shard_iterator.reset();
  event.batch.child_shards.clear();
  if (!at_end || has_records) {
    event.continuation_sequence_number =
        ContinuationLocked(has_records ? event.batch.records.back().arrival_ms / 1000 : start_.shard_created_seconds);
  }
  if (!at_end || has_records) {
    if (!sink_->Send(event)) return FinishLocked();  // the subscriber is gone
  }
  sent_first_ = true;
  next_heartbeat_ms_ = now + relays_->options_.heartbeat_ms;
  if (at_end) {
    // The children in an event of their own, with no continuation.
    engine::SubscriptionEvent last;
    last.batch.millis_behind_latest = event.batch.millis_behind_latest;
    last.batch.child_shards = std::move(children);
    if (!sink_->Send(last)) return FinishLocked();
    return End(Status::Ok());
  }
  Schedule(has_records ? 0 : std::min(relays_->options_.idle_poll_ms, start_.expires_ms - now));
}

SubscriptionRelays::SubscriptionRelays(LeaderCall call, engine::IteratorCodec codec, RelayOptions options,
                                       const Clock& clock)
    : call_(std::move(call)), codec_(std::move(codec)), options_(options), clock_(clock) {}

SubscriptionRelays::~SubscriptionRelays() { Stop(); }

void SubscriptionRelays::Stop() { stopping_.store(true, std::memory_order_release); }

Result<std::shared_ptr<SubscriptionRelay>> SubscriptionRelays::Open(RelayStart start,
                                                                    std::shared_ptr<engine::SubscriptionSink> sink,
                                                                    bool takeover_rule) {
  const std::string key = start.label + "#" + std::to_string(start.shard_index);
  const std::string consumer = start.label;
  const std::string shard = engine::ShardIdFor(start.shard_index);
  auto relay = std::make_shared<SubscriptionRelay>(this, std::move(start), std::move(sink));
  relay->opened_ms_ = NowMillis();
  std::shared_ptr<SubscriptionRelay> old;
  {
    std::lock_guard lock(mu_);
    auto it = by_key_.find(key);
    if (it != by_key_.end()) old = it->second.lock();
    if (old && old->finished_.load(std::memory_order_acquire)) old.reset();
    if (old && takeover_rule && relay->opened_ms_ - old->opened_ms_ < options_.takeover_ms) {
      return Status::InUse("Another active subscription exists for this consumer: " + consumer);
    }
    by_key_[key] = relay;
  }
  // Outside mu_: a relay's mutex comes first.
  if (old) {
    old->Terminate(Status::InUse("This subscription of consumer " + consumer + " to shard " + shard +
                                 " was replaced by a newer SubscribeToShard call."));
  }
  return relay;
}

void SubscriptionRelays::Forget(const std::string& key, const SubscriptionRelay* relay) {
  std::lock_guard lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return;
  std::shared_ptr<SubscriptionRelay> current = it->second.lock();
  if (!current || current.get() == relay) by_key_.erase(it);
}

}  // namespace sluice::api
