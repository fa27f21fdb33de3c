// Value types of consumer groups (docs/consumer-groups.md): which group a
// call names, a group's durable record, a shard's checkpoint, and what a
// member is told. Kinesis words, no wire formats: src/groups_api turns these
// into JSON.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "engine/types.h"

namespace sluice::groups {

// A group is named by its stream and its name.
struct GroupKey {
  std::string account;
  std::string region;
  std::string stream;
  std::string group;

  auto Tie() const { return std::tie(account, region, stream, group); }
  bool operator<(const GroupKey& o) const { return Tie() < o.Tie(); }
  bool operator==(const GroupKey& o) const { return Tie() == o.Tie(); }
  engine::StreamRef stream_ref() const { return {account, region, stream}; }
};

// Where a member starts reading a shard the group has no checkpoint of.
enum class InitialPosition { kTrimHorizon, kLatest };
const char* InitialPositionName(InitialPosition p);  // "TRIM_HORIZON", "LATEST"

// The durable part of a group (JoinGroup creates it, DeleteGroup ends it).
struct GroupRecord {
  GroupKey key;
  // The creation time of the stream the group reads: a stream deleted and
  // created again under the same name does not inherit its groups.
  int64_t stream_creation_ms = 0;
  InitialPosition initial_position = InitialPosition::kTrimHorizon;
  int64_t creation_ms = 0;
};

// A shard's checkpoint: the last sequence number the group processed
// (absent for a ShardEnd checkpoint of an empty shard).
struct Checkpoint {
  std::string shard_id;
  std::optional<std::string> sequence_number;
  bool shard_end = false;
  int64_t updated_ms = 0;
};

// Where a member starts reading one shard of its assignment.
struct AssignedShard {
  std::string shard_id;
  std::optional<std::string> after_sequence_number;         // the checkpoint, when there is one
  InitialPosition initial = InitialPosition::kTrimHorizon;  // used without a checkpoint
};

// A member's view after JoinGroup or Heartbeat.
struct MemberView {
  std::string member_id;
  int64_t generation = 0;
  int64_t session_timeout_ms = 0;
  std::vector<AssignedShard> assignment;  // in shard-id order
  bool rebalance_needed = false;          // differs from the member's previous answer
};

// Bounds of the model.
inline constexpr int64_t kMinSessionTimeoutMs = 1000;
inline constexpr int64_t kMaxSessionTimeoutMs = 300000;
inline constexpr int64_t kDefaultSessionTimeoutMs = 10000;
inline constexpr size_t kMaxMembersPerGroup = 1000;
inline constexpr size_t kMaxGroupsPerStream = 10000;

}  // namespace sluice::groups
