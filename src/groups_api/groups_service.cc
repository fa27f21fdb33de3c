#include "groups_api/groups_service.h"

#include <array>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "gateway/forwarded_call.h"
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
  if (cluster_.placement != nullptr && request.operation != "ListGroups") {
    // A call that does not name a group well is answered here, with its error.
    Result<MemberCall> call = DecodeMemberCall(ctx, *body, /*member=*/false);
    if (call.ok()) {
      Result<groups::GroupCoordinator> coordinator = cluster_.placement->CoordinatorOf(call->key);
      if (!coordinator.ok()) return respond(JsonError(coordinator.status()));
      if (!coordinator->here) return Elsewhere(request, call->key, *coordinator, std::move(respond));
    }
  }
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

void GroupsService::Elsewhere(const gateway::ServiceRequest& request, const groups::GroupKey& key,
                              const groups::GroupCoordinator& coordinator, gateway::ServiceResponder respond) {
  if (request.operation == kSubscribeToGroup) {
    return respond(JsonError(Status::InvalidArgument(
        fmt::format("Group {} is coordinated by node {} at {}: in a cluster SubscribeToGroup is served only by the "
                    "group's coordinator; call it there.",
                    key.group, coordinator.node_id, coordinator.address))));
  }
  if (!request.http.Header(gateway::kForwardedHeader).empty() || cluster_.forwarder == nullptr) {
    // One hop only: the nodes' views of the live nodes differ for a moment.
    return respond(
        JsonError(Status(ErrorCode::kServiceUnavailable,
                         fmt::format("Group {}: its coordinator is moving between nodes; try again.", key.group))));
  }
  cluster_.forwarder->Forward(
      coordinator.address, gateway::CopyForForwarding(request, cluster_.node_id),
      [key, respond = std::move(respond)](Result<gateway::ForwardedResponse> answer) {
        if (answer.ok()) return respond(gateway::Relayed(std::move(*answer)));
        // The coordinator did not answer (it may have just died): retryable.
        respond(JsonError(Status(ErrorCode::kServiceUnavailable,
                                 fmt::format("Group {}: its coordinator did not answer ({}); try again.", key.group,
                                             answer.status().message()))));
      });
}

gateway::ServiceResponse GroupsService::Error(const server::HttpRequest&, const Status& error) const {
  return JsonError(error);
}

}  // namespace sluice::groups_api
