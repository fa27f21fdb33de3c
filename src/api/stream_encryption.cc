// StartStreamEncryption / StopStreamEncryption: StreamName/StreamARN,
// EncryptionType (KMS), KeyId (1..2048). No output. State only: records are
// not encrypted, but DescribeStream shows EncryptionType KMS and the KeyId,
// and records written while the stream is encrypted report EncryptionType
// KMS. Any KeyId is accepted (there is no KMS to ask).
#include <array>

#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"

namespace sluice::api {
namespace {

constexpr std::array<std::string_view, 2> kEncryptionTypes = {"NONE", "KMS"};

void HandleEncryption(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply, bool start) {
  std::optional<std::string_view> name, type, key_id, arn;
  Status st = body.GetString("StreamName", &name);
  if (st.ok()) st = body.GetString("EncryptionType", &type);
  if (st.ok()) st = body.GetString("KeyId", &key_id);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  errors.CheckEnum("encryptionType", type, /*required=*/true, kEncryptionTypes);
  errors.CheckString("keyId", key_id, /*required=*/true, "", nullptr, 1, 2048);
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  if (*type != "KMS") {
    return reply(Status::InvalidArgument("Encryption type " + std::string(*type) + " is not supported for stream " +
                                         ref->name + " under account " + ref->account +
                                         ". The only supported encryption type is KMS."));
  }
  st = ctx.engine.control().UpdateEncryption(*ref,
                                             start ? std::optional<std::string>(std::string(*key_id)) : std::nullopt);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace

void HandleStartStreamEncryption(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  HandleEncryption(ctx, body, std::move(reply), /*start=*/true);
}

void HandleStopStreamEncryption(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  HandleEncryption(ctx, body, std::move(reply), /*start=*/false);
}

}  // namespace sluice::api
