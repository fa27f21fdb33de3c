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
#include <array>
#include <mutex>

#include "api/consumers.h"
#include "api/iterator_types.h"
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/shapes.h"
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

  void Attach(std::shared_ptr<StreamOutput> out) {
    std::lock_guard lock(mu_);
    out_ = std::move(out);
  }
  void Detach() {
    std::lock_guard lock(mu_);
    out_.reset();
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
    return Emit("event", "SubscribeToShardEvent", std::move(payload));
  }

  bool Ready() override {
    std::lock_guard lock(mu_);
    return out_ && out_->Buffered() <= high_water_;
  }

  void End(const Status& status) override {
    if (!status.ok()) {
      // One exception event, named as the event-stream union names it.
      Emit("exception", protocol::EventExceptionType(status), protocol::EventExceptionPayload(status));
    }
    std::shared_ptr<StreamOutput> out;
    {
      std::lock_guard lock(mu_);
      out = std::move(out_);
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
  std::shared_ptr<StreamOutput> out_;  // guarded by mu_; null before start and after the end
};

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
  Result<std::shared_ptr<engine::Subscription>> subscription = ctx.engine.subscriptions().SubscribeToShard(
      *consumer, *shard_id, type, by_sequence ? sequence_number : std::nullopt,
      type == engine::IteratorType::kAtTimestamp ? timestamp_ms : std::nullopt, sink);
  if (!subscription.ok()) return reply(subscription.status());

  std::shared_ptr<engine::Subscription> sub = *subscription;
  stream->start = [sink, sub](std::shared_ptr<StreamOutput> out) {
    sink->Attach(std::move(out));
    if (!sink->SendInitialResponse()) {
      sub->Cancel();
      return;
    }
    sub->Start();
  };
  stream->on_drain = [sub] { sub->Wake(); };
  stream->on_close = [sink, sub] {
    sink->Detach();
    sub->Cancel();
  };
  ctx.open_stream(std::move(stream));
}

}  // namespace sluice::api
