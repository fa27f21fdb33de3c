// GetRecords: ShardIterator, Limit (1..10000, default 10000), StreamARN.
// Output: {"Records":[...],"NextShardIterator"?,"MillisBehindLatest":n,
// "ChildShards"?}. NextShardIterator is absent and ChildShards non-empty
// exactly at the end of a closed shard. A record written while the stream
// was encrypted carries "EncryptionType":"KMS".
//
// Hot path: the whole response is encoded into one buffer reserved from the
// records' sizes; data is base64-encoded in place.
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/shapes.h"
#include "protocol/json_writer.h"

namespace sluice::api {
namespace {

constexpr int64_t kDefaultLimit = 10000;

size_t EstimateSize(const engine::GetRecordsResult& result) {
  return 256 + (result.next_shard_iterator ? result.next_shard_iterator->size() : 0) +
         EstimateRecordsSize(result.records);
}

}  // namespace

void HandleGetRecords(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<int64_t> limit;
  std::optional<std::string_view> iterator, arn;
  Status st = body.GetInteger("Limit", &limit);
  if (st.ok()) st = body.GetString("ShardIterator", &iterator);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  errors.CheckNumber("limit", limit, false, 1, 10000);
  errors.CheckString("shardIterator", iterator, true, "", nullptr, 1, 512);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  std::optional<engine::StreamRef> stream;
  if (arn) {
    stream = engine::ParseStreamArn(*arn);
    if (!stream) return reply(Status::InvalidArgument("Invalid StreamARN " + std::string(*arn) + "."));
  }
  Result<engine::GetRecordsResult> result =
      ctx.engine.records().GetRecords(*iterator, static_cast<int>(limit.value_or(kDefaultLimit)), stream);
  if (!result.ok()) return reply(result.status());

  std::string out;
  out.reserve(EstimateSize(*result));
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("Records");
  WriteRecords(w, result->records);
  if (result->next_shard_iterator) w.Member("NextShardIterator", *result->next_shard_iterator);
  w.MemberInt("MillisBehindLatest", result->millis_behind_latest);
  if (!result->child_shards.empty()) {
    w.Key("ChildShards");
    WriteChildShards(w, result->child_shards);
  }
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
