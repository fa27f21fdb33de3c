// The consumer group operations (docs/consumer-groups.md), one handler per
// operation, in the files named after their groups: membership.cc
// (JoinGroup, Heartbeat, LeaveGroup), checkpoints.cc (CheckpointGroup,
// GetGroupCheckpoints), group_admin.cc (DescribeGroup, ListGroups,
// DeleteGroup), subscribe_to_group.cc (SubscribeToGroup). A handler does, in order, the members' type checks
// (SerializationException), the model's constraints (ValidationException),
// the coordinator's call, and the answer's JSON; it completes through
// `reply` exactly once, possibly on another thread (answers wait for durable
// writes).
//
// Lifetime: `body` and its views are valid only until the handler returns.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/dispatcher.h"
#include "engine/engine.h"
#include "groups/coordinator.h"
#include "protocol/json_reader.h"
#include "protocol/json_writer.h"
#include "protocol/validation.h"
#include "server/http_types.h"
#include "util/status.h"

namespace sluice::groups_api {

struct CallContext {
  groups::Coordinator& coordinator;
  // The caller's namespace (api::ResolveStream reads its defaults).
  const api::ApiOptions& options;
  engine::Engine& engine;  // SubscribeToGroup's records
};

using Reply = std::function<void(Result<std::string>)>;
// Answers with a streamed body instead of `reply` (SubscribeToGroup).
using OpenStream = std::function<void(std::shared_ptr<server::StreamingBody>)>;
using Handler = void (*)(const CallContext& ctx, const protocol::JsonObject& body, Reply reply);

void HandleJoinGroup(const CallContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleHeartbeat(const CallContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleLeaveGroup(const CallContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleCheckpointGroup(const CallContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleGetGroupCheckpoints(const CallContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleDescribeGroup(const CallContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleListGroups(const CallContext& ctx, const protocol::JsonObject& body, Reply reply);
void HandleDeleteGroup(const CallContext& ctx, const protocol::JsonObject& body, Reply reply);
// subscribe_to_group.cc: completes through `reply` with an error, or through
// `open` with the member's event stream.
void HandleSubscribeToGroup(const CallContext& ctx, const protocol::JsonObject& body, Reply reply, OpenStream open);

// --- shared request pieces (request_fields.cc) ---

// The stream members every operation has. Their type checks run first.
struct StreamFields {
  std::optional<std::string_view> stream_name;
  std::optional<std::string_view> stream_arn;
};
Status ReadStreamFields(const protocol::JsonObject& body, StreamFields* out);
// Adds the StreamName/StreamARN constraints to `errors`.
void CheckStreamFields(protocol::ValidationErrors& errors, const StreamFields& fields);
// GroupName and MemberId: [a-zA-Z0-9_.-]+, 1 to 128 characters.
void CheckGroupName(protocol::ValidationErrors& errors, std::optional<std::string_view> value);
void CheckMemberId(protocol::ValidationErrors& errors, std::optional<std::string_view> value, bool required);
// The group a validated request names (InvalidArgument as ResolveStream).
Result<groups::GroupKey> ResolveGroup(const CallContext& ctx, const StreamFields& fields, std::string_view group);

// The body of a request naming StreamName/StreamARN, GroupName and (when
// `member`) MemberId, all required: read, validated, resolved.
struct MemberCall {
  groups::GroupKey key;
  std::string member_id;
};
Result<MemberCall> DecodeMemberCall(const CallContext& ctx, const protocol::JsonObject& body, bool member);

// --- shared answer pieces ---
// "Assignment": [{ShardId, StartingPosition}] as docs/consumer-groups.md
// shows it.
void WriteAssignment(protocol::JsonWriter& w, const std::vector<groups::AssignedShard>& assignment);

}  // namespace sluice::groups_api
