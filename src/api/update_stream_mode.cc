// UpdateStreamMode: StreamARN (required), StreamModeDetails{StreamMode},
// WarmThroughputMiBps (on-demand only). No output. The stream keeps its
// shards and passes through UPDATING.
#include <array>
#include <climits>

#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"

namespace sluice::api {
namespace {

constexpr std::array<std::string_view, 2> kStreamModes = {"PROVISIONED", "ON_DEMAND"};

}  // namespace

void HandleUpdateStreamMode(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> arn, mode;
  std::optional<protocol::JsonObject> details;
  std::optional<int64_t> warm;
  Status st = body.GetString("StreamARN", &arn);
  if (st.ok()) st = body.GetStructure("StreamModeDetails", &details);
  if (st.ok() && details) st = details->GetString("StreamMode", &mode);
  if (st.ok()) st = body.GetInteger("WarmThroughputMiBps", &warm);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckStreamArn(errors, arn, /*required=*/true);
  errors.CheckRequired("streamModeDetails", details.has_value());
  if (details) errors.CheckEnum("streamModeDetails.streamMode", mode, /*required=*/true, kStreamModes);
  errors.CheckNumber("warmThroughputMiBps", warm, /*required=*/false, 0, INT64_MAX);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, std::nullopt, arn);
  if (!ref.ok()) return reply(ref.status());
  const engine::StreamMode target =
      *mode == "ON_DEMAND" ? engine::StreamMode::kOnDemand : engine::StreamMode::kProvisioned;
  std::optional<int> mibps;
  if (warm) mibps = static_cast<int>(std::min<int64_t>(*warm, INT_MAX));
  st = ctx.engine.control().UpdateStreamMode(*ref, target, mibps);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
