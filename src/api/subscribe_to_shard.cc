// SubscribeToShard: ConsumerARN, ShardId, StartingPosition{Type,
// SequenceNumber, Timestamp}. Errors found before the stream starts (model
// constraints, unknown or inactive consumer, unknown shard, bad starting
// position, a subscription taken less than 5 s ago) are ordinary error
// responses. Then the answer is an AWS event stream: an initial-response
// event, SubscribeToShardEvent events as records arrive (and empty ones
// while idle), and at the end either nothing more (lifetime over, shard
// end) or one exception event.
//
// The events are encoded here (EventStreamSink) and delivered by the engine
// (engine/subscriptions.h), which stops reading while the client has more
// than ApiStream::drain_threshold bytes unread and resumes on drain.
//
// In cluster mode (ApiOptions::relays set) a shard another node leads is
// relayed from its leader (api/subscription_relay.h), from the start or,
// when this node loses the shard's leadership mid-subscription (the engine
// ends it with NotLeader), from the last continuation sent, until the
// subscription's lifetime ends.
#include <array>
#include <mutex>

#include "api/consumers.h"
#include "api/iterator_types.h"
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/shapes.h"
#include "api/subscription_relay.h"
#include "engine/consumer_arn.h"
#include "engine/sequence_number.h"
#include "engine/subscriptions.h"
#include "protocol/cbor_transcode.h"
#include "protocol/errors.h"
#include "protocol/event_exception.h"
#include "protocol/event_stream.h"
#include "protocol/json_writer.h"
#include "util/log.h"

namespace sluice::api {
namespace {

// Encodes the subscription's events onto the response stream.
class EventStreamSink final : public engine::SubscriptionSink {
 public:
  EventStreamSink(bool cbor, size_t high_water) : cbor_(cbor), high_water_(high_water) {}

  // Continues a subscription whose engine side ended with NotLeader: a
  // relay from the last continuation sent (none: the starting position).
  using HandOver = std::function<std::shared_ptr<engine::Subscription>(std::optional<std::string> after)>;

  void Attach(std::shared_ptr<StreamOutput> out) {
    std::lock_guard lock(mu_);
    out_ = std::move(out);
  }
  void SetSubscription(std::shared_ptr<engine::Subscription> sub, HandOver hand_over) {
    std::lock_guard lock(mu_);
    subscription_ = std::move(sub);
    hand_over_ = std::move(hand_over);
  }
  // The subscription delivering now (the engine's, or the relay after a hand-over).
  std::shared_ptr<engine::Subscription> subscription() {
    std::lock_guard lock(mu_);
    return subscription_;
  }
  // The client went away: no hand-over follows. Returns the subscription to
  // cancel (null once ended), which the sink no longer holds.
  std::shared_ptr<engine::Subscription> Detach() {
    std::lock_guard lock(mu_);
    out_.reset();
    hand_over_ = nullptr;
    return std::move(subscription_);
  }

  // The initial-response event: the operation's non-stream output, {}.
  bool SendInitialResponse() { return Emit("event", "initial-response", "{}"); }

  bool Send(const engine::SubscriptionEvent& event) override {
    std::string payload;
    payload.reserve(EstimateRecordsSize(event.batch.records) + 256);
    protocol::JsonWriter w(&payload);
    w.BeginObject();
    w.Key("Records");
    WriteRecords(w, event.batch.records);
    if (event.continuation_sequence_number) w.Member("ContinuationSequenceNumber", *event.continuation_sequence_number);
    w.MemberInt("MillisBehindLatest", event.batch.millis_behind_latest);
    if (!event.batch.child_shards.empty()) {
      w.Key("ChildShards");
      WriteChildShards(w, event.batch.child_shards);
    }
    w.EndObject();
    if (event.continuation_sequence_number) {
      std::lock_guard lock(mu_);
      last_continuation_ = event.continuation_sequence_number;
    }
    return Emit("event", "SubscribeToShardEvent", std::move(payload));
  }

  bool Ready() override {
    std::lock_guard lock(mu_);
    return out_ && out_->Buffered() <= high_water_;
  }

  void End(const Status& status) override {
    if (status.code() == ErrorCode::kNotLeader) {
      // This node no longer leads the shard: the subscription goes on from
      // its leader, after the last record sent.
      std::shared_ptr<engine::Subscription> relay;
      {
        std::lock_guard lock(mu_);
        if (hand_over_ && out_) relay = hand_over_(last_continuation_);
        hand_over_ = nullptr;
        if (relay) subscription_ = relay;
      }
      if (relay) return relay->Start();
    }
    if (!status.ok()) {
      // One exception event, named as the event-stream union names it.
      Emit("exception", protocol::EventExceptionType(status), protocol::EventExceptionPayload(status));
    }
    std::shared_ptr<StreamOutput> out;
    std::shared_ptr<engine::Subscription> ended;  // released outside the lock: it holds this sink
    {
      std::lock_guard lock(mu_);
      out = std::move(out_);
      ended = std::move(subscription_);
      hand_over_ = nullptr;
    }
    if (out) out->Finish();
  }

 private:
  bool Emit(std::string_view message_type, std::string_view name, std::string payload) {
    if (cbor_) {
      Result<std::string> encoded = protocol::JsonResponseToCbor(payload);
      if (!encoded.ok()) {
        log::Error("api: SubscribeToShard event not encodable as CBOR: {}", encoded.status().ToString());
        return false;
      }
      payload = std::move(encoded).value();
    }
    const bool exception = message_type == "exception";
    const std::array<protocol::EventStreamHeader, 3> headers = {{
        {exception ? ":exception-type" : ":event-type", protocol::EventStreamHeaderValue::String(name)},
        {":content-type",
         protocol::EventStreamHeaderValue::String(cbor_ ? "application/x-amz-cbor-1.1" : "application/json")},
        {":message-type", protocol::EventStreamHeaderValue::String(message_type)},
    }};
    std::string frame;
    frame.reserve(payload.size() + 128);
    Status st = protocol::EncodeMessage(headers, payload, &frame);
    if (!st.ok()) {
      log::Error("api: SubscribeToShard event not encodable: {}", st.ToString());
      return false;
    }
    std::shared_ptr<StreamOutput> out;
    {
      std::lock_guard lock(mu_);
      out = out_;
    }
    return out && out->Write(std::move(frame));
  }

  const bool cbor_;
  const size_t high_water_;
  std::mutex mu_;
  std::shared_ptr<StreamOutput> out_;                   // guarded by mu_; null before start and after the end
  std::shared_ptr<engine::Subscription> subscription_;  // guarded by mu_
  HandOver hand_over_;                                  // guarded by mu_; null: none
  std::optional<std::string> last_continuation_;        // guarded by mu_
};

// Where a relay of `consumer`'s subscription to the shard starts: the
// shard's index and creation second (from its StartingSequenceNumber).
Result<RelayStart> RelayStartFor(engine::Engine& engine, const engine::ConsumerRef& consumer, std::string_view shard_id,
                                 RelayPosition position, int64_t expires_ms) {
  const std::optional<int> index = engine::ParseShardId(shard_id);
  SLUICE_ASSIGN_OR_RETURN(std::vector<engine::Shard> shards,
                          engine.control().ListShards(consumer.stream, engine::ShardFilter{}, std::nullopt));
  const std::string canonical = index ? engine::ShardIdFor(*index) : std::string(shard_id);
  for (const engine::Shard& shard : shards) {
    if (shard.shard_id != canonical) continue;
    std::optional<engine::SequenceFields> start = engine::ParseSequenceNumber(shard.starting_sequence_number);
    if (!start) break;
    RelayStart out;
    out.stream = consumer.stream;
    out.shard_index = *index;
    out.shard_created_seconds = start->shard_created_seconds;
    out.position = std::move(position);
    out.expires_ms = expires_ms;
    out.label = engine::ConsumerArn(consumer.stream, consumer.consumer_name, consumer.consumer_creation_ms);
    return out;
  }
  return Status::NotFound("Could not find shard " + canonical + " in stream " + consumer.stream.name +
                          " under account " + consumer.stream.account + ".");
}

// The stream's callbacks, through whichever subscription delivers now.
void OpenStream(const std::shared_ptr<ApiStream>& stream, const std::shared_ptr<EventStreamSink>& sink) {
  stream->start = [sink](std::shared_ptr<StreamOutput> out) {
    sink->Attach(std::move(out));
    std::shared_ptr<engine::Subscription> sub = sink->subscription();
    if (!sub) return;
    if (!sink->SendInitialResponse()) {
      sub->Cancel();
      return;
    }
    sub->Start();
  };
  stream->on_drain = [sink] {
    if (std::shared_ptr<engine::Subscription> sub = sink->subscription()) sub->Wake();
  };
  stream->on_close = [sink] {
    if (std::shared_ptr<engine::Subscription> sub = sink->Detach()) sub->Cancel();
  };
}

}  // namespace

void HandleSubscribeToShard(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> consumer_arn, shard_id, type_name, sequence_number;
  std::optional<protocol::JsonObject> position;
  std::optional<int64_t> timestamp_ms;
  Status st = body.GetString("ConsumerARN", &consumer_arn);
  if (st.ok()) st = body.GetString("ShardId", &shard_id);
  if (st.ok()) st = body.GetStructure("StartingPosition", &position);
  if (st.ok() && position) st = position->GetString("Type", &type_name);
  if (st.ok() && position) st = position->GetString("SequenceNumber", &sequence_number);
  if (st.ok() && position) st = position->GetTimestampMillis("Timestamp", &timestamp_ms);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  errors.CheckString("consumerARN", consumer_arn, /*required=*/true, kConsumerArnPattern, &MatchesConsumerArnPattern, 1,
                     2048);
  CheckShardId(errors, "shardId", shard_id, /*required=*/true);
  errors.CheckRequired("startingPosition", position.has_value());
  if (position) {
    errors.CheckEnum("startingPosition.type", type_name, /*required=*/true, kIteratorTypes);
    CheckSequenceNumber(errors, "startingPosition.sequenceNumber", sequence_number);
  }
  if (!errors.empty()) return reply(errors.ToStatus());
  if (!ctx.open_stream) return reply(Status::Internal("SubscribeToShard needs a streamed response"));

  Result<engine::ConsumerRef> consumer = ctx.engine.consumers().ResolveActiveConsumer(*consumer_arn);
  if (!consumer.ok()) return reply(consumer.status());

  const engine::IteratorType type = IteratorTypeOf(*type_name);
  const bool by_sequence =
      type == engine::IteratorType::kAtSequenceNumber || type == engine::IteratorType::kAfterSequenceNumber;
  st = CheckStartingPosition(*type_name, sequence_number.has_value(), timestamp_ms.has_value(), "SequenceNumber");
  if (!st.ok()) return reply(st);

  auto stream = std::make_shared<ApiStream>();
  auto sink = std::make_shared<EventStreamSink>(ctx.cbor, stream->drain_threshold);
  const std::optional<std::string_view> start_sequence = by_sequence ? sequence_number : std::nullopt;
  const std::optional<int64_t> start_time = type == engine::IteratorType::kAtTimestamp ? timestamp_ms : std::nullopt;
  Result<std::shared_ptr<engine::Subscription>> subscription =
      ctx.engine.subscriptions().SubscribeToShard(*consumer, *shard_id, type, start_sequence, start_time, sink);

  EventStreamSink::HandOver hand_over;
  if (SubscriptionRelays* relays = ctx.options.relays) {
    const int64_t expires_ms = relays->NowMillis() + ctx.engine.options().subscription_lifetime_ms;
    RelayPosition starting{std::string(*type_name), std::nullopt, start_time};
    if (start_sequence) starting.sequence_number = std::string(*start_sequence);
    hand_over = [relays, &eng = ctx.engine, consumer = *consumer, shard = std::string(*shard_id), starting, expires_ms,
                 sink = std::weak_ptr<EventStreamSink>(sink)](
                    std::optional<std::string> after) -> std::shared_ptr<engine::Subscription> {
      RelayPosition from = starting;
      if (after) from = {"AFTER_SEQUENCE_NUMBER", std::move(after), std::nullopt};
      Result<RelayStart> start = RelayStartFor(eng, consumer, shard, std::move(from), expires_ms);
      std::shared_ptr<EventStreamSink> target = sink.lock();
      if (!start.ok() || !target) return nullptr;
      // The client's own subscription goes on: not refused by the takeover rule.
      Result<std::shared_ptr<SubscriptionRelay>> relay =
          relays->Open(std::move(start).value(), std::move(target), /*takeover_rule=*/false);
      return relay.ok() ? *relay : nullptr;
    };
    if (!subscription.ok() && subscription.status().code() == ErrorCode::kNotLeader) {
      // Another node leads the shard (or none at the moment): relayed from
      // the start, with the checks GetShardIterator makes there.
      Result<RelayStart> start = RelayStartFor(ctx.engine, *consumer, *shard_id, starting, expires_ms);
      if (!start.ok()) return reply(start.status());
      Result<std::shared_ptr<SubscriptionRelay>> opened = relays->Open(std::move(start).value(), sink);
      if (!opened.ok()) return reply(opened.status());
      std::shared_ptr<SubscriptionRelay> relay = *opened;
      sink->SetSubscription(relay, nullptr);
      OpenStream(stream, sink);
      relay->Begin([reply, open_stream = ctx.open_stream, stream, sink](Status st) {
        if (st.ok()) return open_stream(stream);
        // Never started: no longer the consumer's, and no longer holding the sink.
        if (std::shared_ptr<engine::Subscription> relay = sink->Detach()) relay->Cancel();
        reply(st);
      });
      return;
    }
  }
  if (!subscription.ok()) return reply(subscription.status());
  sink->SetSubscription(*subscription, std::move(hand_over));
  OpenStream(stream, sink);
  ctx.open_stream(std::move(stream));
}

}  // namespace sluice::api
