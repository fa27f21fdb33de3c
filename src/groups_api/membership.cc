// JoinGroup, Heartbeat, LeaveGroup.
#include <array>

#include "groups_api/operations.h"

namespace sluice::groups_api {
namespace {

constexpr std::array<std::string_view, 2> kInitialPositions = {"TRIM_HORIZON", "LATEST"};

std::string MemberViewJson(const groups::GroupKey& key, const groups::MemberView& view, bool join) {
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  if (join) {
    w.Key("GroupName");
    w.String(key.group);
    w.Key("MemberId");
    w.String(view.member_id);
  }
  w.Key("Generation");
  w.Int(view.generation);
  if (join) {
    w.Key("SessionTimeoutMillis");
    w.Int(view.session_timeout_ms);
  }
  w.Key("HeartbeatIntervalMillis");
  w.Int(view.session_timeout_ms / 3);
  WriteAssignment(w, view.assignment);
  if (!join) {
    w.Key("RebalanceNeeded");
    w.Bool(view.rebalance_needed);
  }
  w.EndObject();
  return out;
}

}  // namespace

void HandleJoinGroup(const CallContext& ctx, const protocol::JsonObject& body, Reply reply) {
  StreamFields stream;
  std::optional<std::string_view> group;
  std::optional<std::string_view> member_id;
  std::optional<int64_t> timeout;
  std::optional<std::string_view> initial;
  Status read = ReadStreamFields(body, &stream);
  if (read.ok()) read = body.GetString("GroupName", &group);
  if (read.ok()) read = body.GetString("MemberId", &member_id);
  if (read.ok()) read = body.GetLong("SessionTimeoutMillis", &timeout);
  if (read.ok()) read = body.GetString("InitialPosition", &initial);
  if (!read.ok()) return reply(read);
  protocol::ValidationErrors errors;
  CheckStreamFields(errors, stream);
  CheckGroupName(errors, group);
  CheckMemberId(errors, member_id, /*required=*/false);
  errors.CheckNumber("sessionTimeoutMillis", timeout, false, groups::kMinSessionTimeoutMs,
                     groups::kMaxSessionTimeoutMs);
  errors.CheckEnum("initialPosition", initial, false, kInitialPositions);
  if (!errors.empty()) return reply(errors.ToStatus());
  Result<groups::GroupKey> key = ResolveGroup(ctx, stream, *group);
  if (!key.ok()) return reply(key.status());
  groups::JoinRequest request;
  request.key = *key;
  if (member_id) request.member_id = std::string(*member_id);
  request.session_timeout_ms = timeout.value_or(groups::kDefaultSessionTimeoutMs);
  if (initial) {
    request.initial_position =
        *initial == "LATEST" ? groups::InitialPosition::kLatest : groups::InitialPosition::kTrimHorizon;
  }
  ctx.coordinator.Join(request, [key = *key, reply = std::move(reply)](Result<groups::MemberView> view) {
    if (!view.ok()) return reply(view.status());
    reply(MemberViewJson(key, *view, /*join=*/true));
  });
}

void HandleHeartbeat(const CallContext& ctx, const protocol::JsonObject& body, Reply reply) {
  Result<MemberCall> call = DecodeMemberCall(ctx, body, /*member=*/true);
  if (!call.ok()) return reply(call.status());
  Result<groups::MemberView> view = ctx.coordinator.Heartbeat(call->key, call->member_id);
  if (!view.ok()) return reply(view.status());
  reply(MemberViewJson(call->key, *view, /*join=*/false));
}

void HandleLeaveGroup(const CallContext& ctx, const protocol::JsonObject& body, Reply reply) {
  Result<MemberCall> call = DecodeMemberCall(ctx, body, /*member=*/true);
  if (!call.ok()) return reply(call.status());
  Status left = ctx.coordinator.Leave(call->key, call->member_id);
  if (!left.ok()) return reply(left);
  reply(std::string("{}"));
}

}  // namespace sluice::groups_api
