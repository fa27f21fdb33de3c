// DeleteStream: StreamName/StreamARN, EnforceConsumerDeletion. No output. A
// stream that a channel reads is not deleted (ResourceInUseException).
#include "api/channel_shapes.h"
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"

namespace sluice::api {

void HandleDeleteStream(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> name, arn;
  std::optional<bool> enforce;
  Status st = body.GetString("StreamName", &name);
  if (st.ok()) st = body.GetBoolean("EnforceConsumerDeletion", &enforce);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  st = CheckNoChannelReads(ctx, *ref);
  if (st.ok()) st = ctx.engine.control().DeleteStream(*ref, enforce.value_or(false));
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
