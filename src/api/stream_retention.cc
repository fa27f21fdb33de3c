// IncreaseStreamRetentionPeriod / DecreaseStreamRetentionPeriod:
// StreamName/StreamARN, RetentionPeriodHours. No output. The bounds (24 ..
// 8760 h) and the direction are semantic checks (InvalidArgumentException),
// made by the engine; the model constrains only presence.
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"

namespace sluice::api {
namespace {

void HandleRetention(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply, bool increase) {
  std::optional<std::string_view> name, arn;
  std::optional<int64_t> hours;
  Status st = body.GetString("StreamName", &name);
  if (st.ok()) st = body.GetInteger("RetentionPeriodHours", &hours);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  errors.CheckRequired("retentionPeriodHours", hours.has_value());
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  st = ctx.engine.control().UpdateRetention(*ref, *hours, increase);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace

void HandleIncreaseStreamRetentionPeriod(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  HandleRetention(ctx, body, std::move(reply), /*increase=*/true);
}

void HandleDecreaseStreamRetentionPeriod(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  HandleRetention(ctx, body, std::move(reply), /*increase=*/false);
}

}  // namespace sluice::api
