// UpdateShardCount: StreamName/StreamARN, TargetShardCount (>= 1),
// ScalingType (UNIFORM_SCALING). Output: StreamName, CurrentShardCount,
// TargetShardCount, StreamARN. The bounds on the target (twice / half the
// open shards, 10000 per stream, the account's shard quota) are the
// engine's LimitExceededException.
#include <algorithm>
#include <array>
#include <climits>

#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"
#include "engine/engine.h"
#include "protocol/json_writer.h"

namespace sluice::api {
namespace {

constexpr std::array<std::string_view, 1> kScalingTypes = {"UNIFORM_SCALING"};

}  // namespace

void HandleUpdateShardCount(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> name, scaling, arn;
  std::optional<int64_t> target;
  Status st = body.GetString("StreamName", &name);
  if (st.ok()) st = body.GetInteger("TargetShardCount", &target);
  if (st.ok()) st = body.GetString("ScalingType", &scaling);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  errors.CheckNumber("targetShardCount", target, /*required=*/true, 1, INT64_MAX);
  errors.CheckEnum("scalingType", scaling, /*required=*/true, kScalingTypes);
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  const int count = static_cast<int>(std::min<int64_t>(*target, INT_MAX));
  Result<engine::ShardCountUpdate> update = ctx.engine.control().UpdateShardCount(*ref, count);
  if (!update.ok()) return reply(update.status());

  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Member("StreamName", ref->name);
  w.MemberInt("CurrentShardCount", update->current);
  w.MemberInt("TargetShardCount", update->target);
  w.Member("StreamARN", engine::StreamArn(*ref));
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
