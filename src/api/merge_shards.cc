// MergeShards: StreamName/StreamARN, ShardToMerge, AdjacentShardToMerge. No
// output. Adjacency and shard states are the engine's checks.
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"

namespace sluice::api {

void HandleMergeShards(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> name, shard, adjacent, arn;
  Status st = body.GetString("StreamName", &name);
  if (st.ok()) st = body.GetString("ShardToMerge", &shard);
  if (st.ok()) st = body.GetString("AdjacentShardToMerge", &adjacent);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckShardId(errors, "shardToMerge", shard, /*required=*/true);
  CheckShardId(errors, "adjacentShardToMerge", adjacent, /*required=*/true);
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  st = ctx.engine.control().MergeShards(*ref, *shard, *adjacent);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
