// UpdateStreamRecordDistributionStrategy: StreamARN (required), StreamId
// (ignored), RecordDistributionStrategy (required, AUTO | USER_PARTITION_KEY).
// No output. On-demand streams only (the engine's InvalidArgumentException
// otherwise); the stream passes through UPDATING and records arriving after
// the call are placed by the new strategy.
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"

namespace sluice::api {

void HandleUpdateStreamRecordDistributionStrategy(const OperationContext& ctx, const protocol::JsonObject& body,
                                                  Reply reply) {
  std::optional<std::string_view> arn, strategy;
  Status st = body.GetString("StreamARN", &arn);
  if (st.ok()) st = body.GetString("RecordDistributionStrategy", &strategy);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckStreamArn(errors, arn, /*required=*/true);
  CheckRecordDistributionStrategy(errors, strategy, /*required=*/true);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, std::nullopt, arn);
  if (!ref.ok()) return reply(ref.status());
  st = ctx.engine.control().UpdateRecordDistribution(
      *ref, *strategy == "AUTO" ? engine::RecordDistribution::kAuto : engine::RecordDistribution::kUserPartitionKey);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
