// DescribeLimits: no input. Output: {"ShardLimit","OpenShardCount",
// "OnDemandStreamCount","OnDemandStreamCountLimit"} for the caller's account
// and region.
#include "api/operation.h"
#include "api/stream_addressing.h"
#include "protocol/json_writer.h"

namespace sluice::api {

void HandleDescribeLimits(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  (void)body;
  engine::StreamRef ns = DefaultNamespace(ctx.options);
  engine::AccountLimits limits = ctx.engine.control().DescribeLimits(ns.account, ns.region);
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.MemberInt("ShardLimit", limits.shard_limit);
  w.MemberInt("OpenShardCount", limits.open_shard_count);
  w.MemberInt("OnDemandStreamCount", limits.on_demand_stream_count);
  w.MemberInt("OnDemandStreamCountLimit", limits.on_demand_stream_count_limit);
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
