#include "groups_api/groups_service.h"

#include <array>
#include <memory>
#include <utility>

#include "groups/member_errors.h"
#include "groups_api/operations.h"
#include "protocol/json_writer.h"
#include "protocol/errors.h"

namespace sluice::groups_api {
namespace {

constexpr std::string_view kJson11 = "application/x-amz-json-1.1";

constexpr std::array<std::pair<std::string_view, Handler>, 8> kOperations = {{
    {"JoinGroup", &HandleJoinGroup},
    {"Heartbeat", &HandleHeartbeat},
    {"LeaveGroup", &HandleLeaveGroup},
    {"CheckpointGroup", &HandleCheckpointGroup},
    {"GetGroupCheckpoints", &HandleGetGroupCheckpoints},
    {"DescribeGroup", &HandleDescribeGroup},
    {"ListGroups", &HandleListGroups},
    {"DeleteGroup", &HandleDeleteGroup},
}};

// The service's error shape; the group model's own two errors under their
// names (groups/member_errors.h).
gateway::ServiceResponse JsonError(const Status& error) {
  gateway::ServiceResponse r;
  r.status = protocol::HttpStatusFor(error.code());
  r.content_type = std::string(kJson11);
  r.error_type = protocol::ErrorTypeName(error.code());
  r.body = protocol::EncodeJsonError(error);
  if (std::optional<std::string_view> member = groups::MemberErrorType(error)) {
    r.error_type = std::string(*member);
    protocol::JsonWriter w(&r.body);
    r.body.clear();
    w.BeginObject();
    w.Key("__type");
    w.String(*member);
    w.Key("message");
    w.String(error.message());
    w.EndObject();
  }
  return r;
}

constexpr std::string_view kSubscribeToGroup = "SubscribeToGroup";

}  // namespace

std::vector<std::string> GroupsService::operations() const {
  std::vector<std::string> names;
  for (const auto& [name, handler] : kOperations) names.emplace_back(name);
  names.emplace_back(kSubscribeToGroup);
  return names;
}

void GroupsService::Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) {
  Handler handler = nullptr;
  for (const auto& [name, h] : kOperations) {
    if (name == request.operation) handler = h;
  }
  const bool subscribe = request.operation == kSubscribeToGroup;
  if (handler == nullptr && !subscribe) {
    return respond(JsonError(Status(ErrorCode::kUnknownOperation, "")));
  }
  Result<protocol::JsonObject> body = protocol::ParseJsonRequest(request.http.body);
  if (!body.ok()) return respond(JsonError(body.status()));
  api::ApiOptions options;
  options.default_account = request.account.empty() ? default_account_ : std::string(request.account);
  options.default_region = request.region.empty() ? default_region_ : std::string(request.region);
  CallContext ctx{coordinator_, options, engine_};
  if (subscribe) {
    auto shared = std::make_shared<gateway::ServiceResponder>(std::move(respond));
    return HandleSubscribeToGroup(
        ctx, *body, [shared](Result<std::string> out) { (*shared)(JsonError(out.status())); },
        [shared](std::shared_ptr<server::StreamingBody> streaming) {
          gateway::ServiceResponse r;
          r.content_type = "application/vnd.amazon.eventstream";
          r.streaming = std::move(streaming);
          (*shared)(std::move(r));
        });
  }
  handler(ctx, *body, [respond = std::move(respond)](Result<std::string> out) {
    if (!out.ok()) return respond(JsonError(out.status()));
    gateway::ServiceResponse r;
    r.content_type = std::string(kJson11);
    r.body = std::move(out).value();
    respond(std::move(r));
  });
}

gateway::ServiceResponse GroupsService::Error(const server::HttpRequest&, const Status& error) const {
  return JsonError(error);
}

}  // namespace sluice::groups_api
