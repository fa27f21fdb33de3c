// The consumer-group operations of the Sluice_20261207 target, typed
// (docs/consumer-groups.md is the contract). Each is one request over the
// Client's transport and returns an Outcome; nothing is retried here.
// ListGroups follows NextToken to the end.
//
// `stream` names the stream by name, or by ARN when it starts with "arn:".
// Errors are the service's: ResourceNotFoundException, UnknownMemberException
// (join again), FencedMemberException (the member no longer owns the shard),
// InvalidArgumentException, ResourceInUseException, LimitExceededException,
// ValidationException; or the client's own kinds (types.h).
//
// Threading: thread-safe (the transport is).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "client/client.h"
#include "client/types.h"

namespace sluice::client {

// A shard given to a member, and where to read it from: AFTER_SEQUENCE_NUMBER
// of its checkpoint, else the group's initial position (TRIM_HORIZON or
// LATEST).
struct GroupShardAssignment {
  std::string shard_id;
  StartingPosition start;
};
using GroupAssignment = std::vector<GroupShardAssignment>;

struct JoinGroupRequest {
  std::string stream;
  std::string group;
  std::string member_id;           // "": the server makes one
  int64_t session_timeout_ms = 0;  // 0: the server's default (10 s)
  // Used when the join creates the group: TRIM_HORIZON (the default) or
  // LATEST; "" sends none. A later join may not name another one.
  std::string initial_position;
};

// The answer of JoinGroup.
struct GroupJoined {
  std::string group;
  std::string member_id;
  int64_t generation = 0;
  int64_t session_timeout_ms = 0;
  int64_t heartbeat_interval_ms = 0;
  GroupAssignment assignment;
};

// The answer of Heartbeat.
struct GroupHeartbeat {
  int64_t generation = 0;
  GroupAssignment assignment;
  bool rebalance_needed = false;
  int64_t heartbeat_interval_ms = 0;
};

struct CheckpointGroupRequest {
  std::string stream;
  std::string group;
  std::string member_id;
  int64_t generation = 0;
  std::string shard_id;
  std::string sequence_number;  // "" only with shard_end on an empty shard
  bool shard_end = false;       // the shard is closed and read to its end
};

struct GroupCheckpoint {
  std::string shard_id;
  std::string sequence_number;
  bool shard_end = false;
  int64_t last_updated_ms = 0;
};

struct GroupMemberInfo {
  std::string member_id;
  std::vector<std::string> shard_ids;
  int64_t session_timeout_ms = 0;
  int64_t last_heartbeat_ms = 0;
  bool pushed = false;
};

struct GroupShardInfo {
  std::string shard_id;
  std::string owner;  // "" when none
  std::string sequence_number;
  bool shard_end = false;
  int64_t records_behind = 0;
  int64_t millis_behind_latest = 0;
};

struct GroupDescription {
  std::string group;
  std::string stream_arn;
  std::string initial_position;
  int64_t generation = 0;
  std::string state;  // EMPTY, STABLE, REBALANCING
  int64_t creation_ms = 0;
  std::vector<GroupMemberInfo> members;
  std::vector<GroupShardInfo> shards;
};

struct GroupSummary {
  std::string group;
  int64_t generation = 0;
  std::string state;
  int64_t member_count = 0;
};

Outcome<GroupJoined> JoinGroup(Client& client, const JoinGroupRequest& request);
Outcome<GroupHeartbeat> Heartbeat(Client& client, const std::string& stream, const std::string& group,
                                  const std::string& member_id);
Outcome<Done> LeaveGroup(Client& client, const std::string& stream, const std::string& group,
                         const std::string& member_id);
// Answers once the checkpoint is durable.
Outcome<Done> CheckpointGroup(Client& client, const CheckpointGroupRequest& request);
Outcome<std::vector<GroupCheckpoint>> GetGroupCheckpoints(Client& client, const std::string& stream,
                                                          const std::string& group);
Outcome<GroupDescription> DescribeGroup(Client& client, const std::string& stream, const std::string& group);
Outcome<std::vector<GroupSummary>> ListGroups(Client& client, const std::string& stream);
// ResourceInUseException while the group has members.
Outcome<Done> DeleteGroup(Client& client, const std::string& stream, const std::string& group);

// The answers' bodies, parsed (exposed for tests).
Outcome<GroupJoined> ParseJoinGroupAnswer(std::string_view json);
Outcome<GroupHeartbeat> ParseHeartbeatAnswer(std::string_view json);

// SubscribeToGroup (docs/consumer-groups.md): the request's body, and its
// events' payloads. A RecordsEvent's records are ParseRecordsPayload's
// (client.h), of the shard GroupShardEvent names.
std::string SubscribeToGroupBody(const std::string& stream, const std::string& group, const std::string& member_id);
struct GroupAssignmentEvent {
  int64_t generation = 0;
  GroupAssignment assignment;
};
Outcome<GroupAssignmentEvent> ParseAssignmentEvent(std::string_view json);
// The ShardId of a RecordsEvent or a ShardEndEvent, and the latter's ChildShardIds.
struct GroupShardEvent {
  std::string shard_id;
  std::vector<std::string> child_shard_ids;
};
Outcome<GroupShardEvent> ParseGroupShardEvent(std::string_view json);

}  // namespace sluice::client
