// UpdateMaxRecordSize: StreamARN, MaxRecordSizeInKiB (1024..10240). No
// output. Puts larger than the new size (data plus partition key) are
// refused from the moment the call returns.
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"

namespace sluice::api {

void HandleUpdateMaxRecordSize(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> arn;
  std::optional<int64_t> kib;
  Status st = body.GetString("StreamARN", &arn);
  if (st.ok()) st = body.GetInteger("MaxRecordSizeInKiB", &kib);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckStreamArn(errors, arn);
  errors.CheckNumber("maxRecordSizeInKiB", kib, /*required=*/true, 1024, 10240);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, std::nullopt, arn);
  if (!ref.ok()) return reply(ref.status());
  st = ctx.engine.control().UpdateMaxRecordSize(*ref, static_cast<int>(*kib));
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
