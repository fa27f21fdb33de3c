// GetShardIterator: StreamName/StreamARN, ShardId, ShardIteratorType,
// StartingSequenceNumber, Timestamp. Output: {"ShardIterator":..}.
#include "api/iterator_types.h"
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"
#include "protocol/json_writer.h"

namespace sluice::api {

void HandleGetShardIterator(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> shard_id, type_name, sequence_number, name, arn;
  std::optional<int64_t> timestamp_ms;
  Status st = body.GetString("ShardId", &shard_id);
  if (st.ok()) st = body.GetString("ShardIteratorType", &type_name);
  if (st.ok()) st = body.GetString("StartingSequenceNumber", &sequence_number);
  if (st.ok()) st = body.GetString("StreamName", &name);
  if (st.ok()) st = body.GetTimestampMillis("Timestamp", &timestamp_ms);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckShardId(errors, "shardId", shard_id, /*required=*/true);
  errors.CheckEnum("shardIteratorType", type_name, true, kIteratorTypes);
  CheckSequenceNumber(errors, "startingSequenceNumber", sequence_number);
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());

  const engine::IteratorType type = IteratorTypeOf(*type_name);
  st = CheckStartingPosition(*type_name, sequence_number.has_value(), timestamp_ms.has_value(),
                             "StartingSequenceNumber");
  if (!st.ok()) return reply(st);
  if (type == engine::IteratorType::kAtTimestamp) {
    int64_t now = ctx.clock.NowMillis();
    if (*timestamp_ms > now) {
      return reply(Status::InvalidArgument(
          "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. timestampInMillis: " +
          std::to_string(*timestamp_ms) + ", currentTimestampInMillis: " + std::to_string(now)));
    }
    sequence_number.reset();  // not used by this type
  }

  Result<std::string> iterator = ctx.engine.records().GetShardIterator(
      *ref, *shard_id, type, sequence_number, type == engine::IteratorType::kAtTimestamp ? timestamp_ms : std::nullopt);
  if (!iterator.ok()) return reply(iterator.status());

  std::string out;
  out.reserve(iterator->size() + 24);
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Member("ShardIterator", *iterator);
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
