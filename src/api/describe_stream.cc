// DescribeStream: StreamName/StreamARN, Limit (default and effective
// maximum 100 shards per page), ExclusiveStartShardId.
// Output: {"StreamDescription":{..., "Shards":[...], "HasMoreShards":b}}.
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/shapes.h"
#include "api/stream_addressing.h"

namespace sluice::api {
namespace {

constexpr int64_t kMaxShardsPerPage = 100;

}  // namespace

void HandleDescribeStream(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<int64_t> limit;
  std::optional<std::string_view> start_shard, name, arn;
  Status st = body.GetInteger("Limit", &limit);
  if (st.ok()) st = body.GetString("ExclusiveStartShardId", &start_shard);
  if (st.ok()) st = body.GetString("StreamName", &name);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  errors.CheckNumber("limit", limit, false, 1, 10000);
  CheckShardId(errors, "exclusiveStartShardId", start_shard);
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  // Shards after ExclusiveStartShardId, compared by index so "shardId-7"
  // and "shardId-000000000007" agree; an id that is not a shard id matches
  // nothing, so every shard is listed.
  engine::ShardPageRequest page;
  if (start_shard) page.after_index = engine::ParseShardId(*start_shard).value_or(-1);
  page.limit = static_cast<size_t>(std::min(limit.value_or(kMaxShardsPerPage), kMaxShardsPerPage));
  Result<engine::StreamDescription> desc = ctx.engine.control().DescribeStream(*ref, page);
  if (!desc.ok()) return reply(desc.status());
  const auto& shards = desc->shards;

  std::string out;
  out.reserve(512 + shards.size() * 320);
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("StreamDescription");
  w.BeginObject();
  WriteStreamDescriptionFields(w, *desc);
  w.Key("Shards");
  w.BeginArray();
  for (const engine::Shard& shard : shards) WriteShard(w, shard);
  w.EndArray();
  w.MemberBool("HasMoreShards", desc->has_more_shards);
  w.EndObject();
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
