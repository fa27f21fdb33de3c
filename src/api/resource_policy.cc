// PutResourcePolicy: ResourceARN, Policy; no output. GetResourcePolicy:
// ResourceARN -> {"Policy"} ("{}" when the resource has none).
// DeleteResourcePolicy: ResourceARN; no output. The ARN names a stream or a
// consumer (<stream arn>/consumer/<name>:<seconds>) that exists (Put: an
// ACTIVE consumer); a consumer's policy goes when the consumer is
// deregistered. The policy is stored verbatim
// once it parses as a JSON object; it is not enforced (requests are not
// authenticated). StreamId ("not implemented, reserved") is ignored, as
// everywhere.
#include "api/operation.h"
#include "api/tagging.h"
#include "protocol/json_writer.h"
#include "protocol/validation.h"

namespace sluice::api {

void HandlePutResourcePolicy(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> arn, policy;
  Status st = body.GetString("ResourceARN", &arn);
  if (st.ok()) st = body.GetString("Policy", &policy);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckResourceArn(errors, arn);
  errors.CheckRequired("policy", policy.has_value());
  if (!errors.empty()) return reply(errors.ToStatus());

  // Parsing the policy reuses this thread's parser, which `body` (and the
  // views into it) live in: copy them out first.
  const std::string resource_arn(*arn);
  std::string document(*policy);
  if (!protocol::ParseJsonRequest(document).ok()) {
    return reply(Status::InvalidArgument("Invalid policy document for resource ARN " + resource_arn +
                                         ": the policy must be a JSON object."));
  }
  st = ctx.engine.policies().PutResourcePolicy(resource_arn, std::move(document));
  if (!st.ok()) return reply(st);
  reply(std::string());
}

namespace {

// The only member of GetResourcePolicy and DeleteResourcePolicy.
Result<std::string_view> DecodeResourceArn(const protocol::JsonObject& body) {
  std::optional<std::string_view> arn;
  SLUICE_RETURN_IF_ERROR(body.GetString("ResourceARN", &arn));
  protocol::ValidationErrors errors;
  CheckResourceArn(errors, arn);
  SLUICE_RETURN_IF_ERROR(errors.ToStatus());
  return *arn;
}

}  // namespace

void HandleGetResourcePolicy(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  Result<std::string_view> arn = DecodeResourceArn(body);
  if (!arn.ok()) return reply(arn.status());

  Result<std::string> policy = ctx.engine.policies().GetResourcePolicy(*arn);
  if (!policy.ok()) return reply(policy.status());
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Member("Policy", *policy);
  w.EndObject();
  reply(std::move(out));
}

void HandleDeleteResourcePolicy(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  Result<std::string_view> arn = DecodeResourceArn(body);
  if (!arn.ok()) return reply(arn.status());

  Status st = ctx.engine.policies().DeleteResourcePolicy(*arn);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
