// PutRecord: StreamName/StreamARN, Data, PartitionKey (optional on AUTO
// streams, record_writes.h), ExplicitHashKey,
// SequenceNumberForOrdering. Output: {"ShardId":..,"SequenceNumber":..,
// "EncryptionType":"KMS" when the stream is encrypted}.
// Completes when the engine has made the record durable.
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/record_writes.h"
#include "api/stream_addressing.h"
#include "engine/sequence_number.h"
#include "protocol/errors.h"
#include "protocol/json_writer.h"

namespace sluice::api {

void HandlePutRecord(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  protocol::ByteArena arena;
  std::optional<std::string_view> ordering, partition_key, explicit_hash_key, data, name, arn;
  Status st = body.GetString("SequenceNumberForOrdering", &ordering);
  if (st.ok()) st = body.GetString("PartitionKey", &partition_key);
  if (st.ok()) st = body.GetString("ExplicitHashKey", &explicit_hash_key);
  if (st.ok()) st = body.GetBlob("Data", &arena, &data);
  if (st.ok()) st = body.GetString("StreamName", &name);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckSequenceNumber(errors, "sequenceNumberForOrdering", ordering);
  errors.CheckString("partitionKey", partition_key, /*required=*/false, "", nullptr, 1, kMaxPartitionKeyLength);
  CheckHashKey(errors, "explicitHashKey", explicit_hash_key);
  errors.CheckBlob("data", data ? std::optional<size_t>(data->size()) : std::nullopt, true, kMaxDataBytes);
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  if (!partition_key) {
    const std::string path = "partitionKey";
    st = CheckMissingPartitionKeys(ctx, *ref, std::span<const std::string>(&path, 1));
    if (!st.ok()) return reply(st);
  }
  engine::PutEntry entry{partition_key.value_or(""), *data, std::nullopt};
  if (explicit_hash_key) {
    Result<HashKey> key = ParseExplicitHashKey(*explicit_hash_key);
    if (!key.ok()) return reply(key.status());
    entry.explicit_hash_key = *key;
  }
  // A SequenceNumberForOrdering must be one this service could have issued;
  // beyond that it needs no action: sequence numbers grow monotonically per
  // shard, which is the guarantee it asks for.
  if (ordering) {
    std::optional<engine::SequenceFields> fields = engine::ParseSequenceNumber(*ordering);
    if (!fields || fields->record_seconds * 1000 > ctx.clock.NowMillis()) {
      return reply(Status::InvalidArgument("ExclusiveMinimumSequenceNumber " + std::string(*ordering) +
                                           " used in PutRecord on stream " + ref->name + " under account " +
                                           ref->account + " is invalid."));
    }
  }

  ctx.engine.records().PutRecords(*ref, std::span<const engine::PutEntry>(&entry, 1),
                                  [reply = std::move(reply)](Result<std::vector<engine::PutEntryResult>> results) {
                                    if (!results.ok()) return reply(results.status());
                                    if (results->size() != 1)
                                      return reply(Status::Internal("Internal Service Failure"));
                                    const engine::PutEntryResult& r = (*results)[0];
                                    if (!r.status.ok()) return reply(r.status);
                                    std::string out;
                                    out.reserve(128);
                                    protocol::JsonWriter w(&out);
                                    w.BeginObject();
                                    w.Member("ShardId", engine::ShardIdFor(r.shard_index));
                                    w.Member("SequenceNumber", engine::ToView(r.sequence_number));
                                    if (r.encrypted) w.Member("EncryptionType", "KMS");
                                    w.EndObject();
                                    reply(std::move(out));
                                  });
}

}  // namespace sluice::api
