// Coordinator: consumer groups of every stream (docs/consumer-groups.md).
// It keeps the members and their sessions, the generation and the sticky
// balanced assignment of each group (groups/live_group.h) in memory, and
// the groups and checkpoints durably in GroupRecords (groups/group_records.h:
// a node's journal, or etcd in a cluster). It asks the engine
// for each call's stream and shards (groups/stream_shards.h), so a reshard
// or a parent's ShardEnd checkpoint is seen on the next call.
//
// Sessions: a member that sends no heartbeat for its session timeout is
// removed by ExpireSessions(), which the coordinator's own thread runs every
// expiry_check_interval_ms between Start() and Stop() (tests driving a
// ManualClock call it directly). The same pass drops the groups of streams
// that were deleted (or deleted and created again).
//
// Claims: every call naming a group first claims it from the records
// (GroupRecords::Claim); when they read the group again (in a cluster: this
// node took the group over from another), its members here are dropped, so
// they get UnknownMember and join again, as after a restart.
//
// Push: Attach() marks a member as pushed (SubscribeToGroup): it holds its
// session while attached, its moved shards are handed over at once, and its
// listener is told every change of its assignment.
//
// Errors (Status codes with the messages the API answers):
//   ResourceNotFound  the stream (the engine's message), the group, the shard
//   ResourceInUse     JoinGroup on a stream neither ACTIVE nor UPDATING;
//                     DeleteGroup of a group with members
//   InvalidArgument   an InitialPosition other than the group's; a
//                     checkpoint's sequence number not of the shard, a
//                     ShardEnd on an open shard or not at its end
//   LimitExceeded     kMaxMembersPerGroup, kMaxGroupsPerStream
//   UnknownMember     the member is not in the group    (groups/member_errors.h)
//   FencedMember      the member does not own the shard (now, or since the
//                     generation it names)              (groups/member_errors.h)
//   IoError           the store could not write (nothing changed)
//   ServiceUnavailable the records refused the claim or a write (in a
//                     cluster: another node coordinates the group now)
//
// Threading: every method is thread-safe; one lock serializes them. The
// completions of durable writes (`done`) run on the store's flusher thread
// or inline, without the lock.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "groups/group_records.h"
#include "groups/group_types.h"
#include "groups/live_group.h"
#include "groups/stream_shards.h"
#include "util/clock.h"
#include "util/status.h"

namespace sluice::groups {

struct CoordinatorOptions {
  int64_t expiry_check_interval_ms = 100;
  const Clock* clock = nullptr;  // defaults to SystemClock
  // In a cluster: whether this node coordinates the group now. Once a
  // second the expiry pass drops the members of groups it no longer
  // coordinates (pushed ones are told UnknownMember): they join again at
  // the group's coordinator. Null: every group (a single node).
  std::function<bool(const GroupKey&)> coordinates_here;
};

struct JoinRequest {
  GroupKey key;
  std::optional<std::string> member_id;  // absent: the coordinator makes one
  int64_t session_timeout_ms = kDefaultSessionTimeoutMs;
  std::optional<InitialPosition> initial_position;
};

struct CheckpointRequest {
  GroupKey key;
  std::string member_id;
  int64_t generation = 0;
  std::string shard_id;
  std::optional<std::string> sequence_number;
  bool shard_end = false;
};

enum class GroupState { kEmpty, kStable, kRebalancing };
const char* GroupStateName(GroupState s);  // "EMPTY", "STABLE", "REBALANCING"

struct MemberDescription {
  std::string member_id;
  std::vector<std::string> assignment;
  int64_t session_timeout_ms = 0;
  int64_t last_heartbeat_ms = 0;
  bool pushed = false;
};

struct ShardDescription {
  std::string shard_id;
  std::optional<std::string> owner;
  std::optional<std::string> sequence_number;
  bool shard_end = false;
  ShardLag lag;
};

struct GroupDescription {
  GroupRecord record;
  std::string stream_arn;
  int64_t generation = 0;
  GroupState state = GroupState::kEmpty;
  std::vector<MemberDescription> members;
  std::vector<ShardDescription> shards;  // every shard the group reads or has a checkpoint of
};

struct GroupSummary {
  std::string name;
  int64_t generation = 0;
  GroupState state = GroupState::kEmpty;
  size_t member_count = 0;
};

struct GroupPage {
  std::vector<GroupSummary> groups;
  bool more = false;
};

class Coordinator {
 public:
  // `engine` and `store` outlive the coordinator.
  Coordinator(engine::Engine& engine, GroupRecords& store, CoordinatorOptions options = {});
  ~Coordinator();  // Stop()s

  // Starts / stops the session expiry thread. Stop is idempotent.
  void Start();
  void Stop();

  // JoinGroup: creates the group (durably: `done` runs once it is synced)
  // when it does not exist, adds the member (or, for a member already in
  // the group, counts as its heartbeat) and answers its assignment.
  void Join(const JoinRequest& request, std::function<void(Result<MemberView>)> done);
  // Heartbeat: keeps the session, acknowledges the shards that moved away,
  // answers the member's assignment.
  Result<MemberView> Heartbeat(const GroupKey& key, const std::string& member_id);
  // LeaveGroup: the member's shards go to the others at once.
  Status Leave(const GroupKey& key, const std::string& member_id);
  // CheckpointGroup: `done` runs once the checkpoint is durable, or with the
  // error (fencing first, then the sequence number's checks).
  void Commit(const CheckpointRequest& request, std::function<void(Status)> done);
  // GetGroupCheckpoints, in shard-id order.
  Result<std::vector<Checkpoint>> Checkpoints(const GroupKey& key);
  // DescribeGroup. Without `claim` (operators' views: /metrics, the
  // console), only a group the records hold already is described, and a
  // cluster's node takes no group over for it (ResourceNotFound otherwise).
  Result<GroupDescription> Describe(const GroupKey& key, bool claim = true);
  // ListGroups: the stream's groups named after `after`, at most `limit`.
  // `held_only`: only those the records hold in memory (every group on a
  // single node; in a cluster the groups this node coordinates), without
  // asking etcd.
  Result<GroupPage> List(const engine::StreamRef& stream, const std::string& after, size_t limit,
                         bool held_only = false);
  // DeleteGroup: `done` runs once the removal is durable.
  void Delete(const GroupKey& key, std::function<void(Status)> done);

  // Push (SubscribeToGroup): see the header comment. Answers the id that
  // Detach names; UnknownMember when the member is not in the group. The
  // listener is called at once with the current assignment. A listener
  // attached before for the member is told it ended (ResourceInUse).
  Result<uint64_t> Attach(const GroupKey& key, const std::string& member_id, AssignmentListener listener);
  // Ends push `push_id` (no-op when a later Attach replaced it, or the
  // member is gone); the member's session runs from now.
  void Detach(const GroupKey& key, const std::string& member_id, uint64_t push_id);

  // One expiry pass at the clock's now: removes the members whose session
  // ended (their shards move) and the groups of deleted streams.
  void ExpireSessions();

 private:
  struct Notice {
    AssignmentListener listener;
    int64_t generation = 0;
    std::vector<AssignedShard> assignment;
    Status ended;
  };
  using Notices = std::vector<Notice>;

  // Claims the group (see the header comment); when its state was read
  // again, drops its live state. Caller holds mu_.
  Status ClaimLocked(const GroupKey& key, Notices* notices);
  // Drops the group's members, telling its pushed ones UnknownMember.
  void DropMembersLocked(const GroupKey& key, Notices* notices);
  // The stored group of `key` on the stream as it is now: ResourceNotFound
  // for a missing stream or group. Caller holds mu_.
  Result<const StoredGroup*> FindLocked(const GroupKey& key, StreamShards* shards);
  // The stored group, its live state and the member: FindLocked's errors,
  // UnknownMember. Caller holds mu_.
  struct MemberLookup {
    const StoredGroup* stored;
    LiveGroup* live;
    LiveMember* member;
  };
  Result<MemberLookup> FindMemberLocked(const GroupKey& key, const std::string& member_id, StreamShards* shards);
  // Rebalances the group and collects the notices of its pushed members.
  void RebalanceLocked(LiveGroup& live, const StreamShards& shards, const StoredGroup& stored, Notices* notices);
  MemberView ViewLocked(LiveGroup& live, const StoredGroup& stored, const std::string& member_id);
  std::vector<AssignedShard> AssignedLocked(const LiveGroup& live, const StoredGroup& stored,
                                            const std::string& member_id) const;
  // Removes the group from memory and (without waiting) from the store;
  // its pushed members are told (ResourceNotFound).
  Result<uint64_t> DropGroupLocked(const GroupKey& key, Notices* notices);
  // Removes a member; when pushed, it is told `why`.
  static void RemoveMemberLocked(LiveGroup& live, const std::string& member_id, const Status& why, Notices* notices);
  static void Deliver(Notices notices);
  void ExpiryLoop();
  int64_t Now() const { return clock_.NowMillis(); }

  engine::Engine& engine_;
  GroupRecords& store_;
  const CoordinatorOptions options_;
  const Clock& clock_;
  EngineShards shards_;

  std::mutex mu_;
  std::map<GroupKey, LiveGroup> live_;  // guarded by mu_
  uint64_t next_member_ = 0;            // guarded by mu_
  uint64_t next_push_ = 0;              // guarded by mu_
  int64_t last_stream_check_ms_ = 0;    // guarded by mu_

  std::mutex thread_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sluice::groups
