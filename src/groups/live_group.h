// LiveGroup: the in-memory state of one group's members (never stored): its
// generation, its members and their sessions, the target assignment and
// which member reads each shard now, and the rules that move shards between
// them (docs/consumer-groups.md, "The model").
//
// Target vs owner: Rebalance() computes the target (sticky, balanced,
// lineage-gated); a shard whose target is a new member keeps its old owner
// until that owner's next heartbeat (Release), its leave or its expiry
// (RemoveMember), or at once when the owner is pushed. A shard with no
// owner goes to its target at once (Grant), at the current generation.
//
// Threading: none; the Coordinator holds its lock around every call.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "groups/assignment.h"
#include "groups/group_records.h"
#include "groups/stream_shards.h"

namespace sluice::groups {

// Told a pushed member's new assignment whenever it changes (its
// SubscribeToGroup stream), with `ended` OK. Once the push is over for a
// reason of the group's (the member left, its group went with its stream, a
// newer SubscribeToGroup replaced it), a last call has an empty assignment
// and `ended` says why. Called without the coordinator's lock.
using AssignmentListener =
    std::function<void(int64_t generation, const std::vector<AssignedShard>& assignment, const Status& ended)>;

struct LiveMember {
  int64_t session_timeout_ms = kDefaultSessionTimeoutMs;
  int64_t last_heartbeat_ms = 0;
  std::vector<std::string> answered;  // shard ids of the member's last answer
  AssignmentListener listener;        // set while pushed: no expiry, hand-over at once
  uint64_t push_id = 0;               // which Attach the listener is of
};

struct ShardOwner {
  std::string member;
  int64_t since_generation = 0;  // fencing: checkpoints must name this generation or a later one
};

struct LiveGroup {
  int64_t generation = 0;
  std::map<std::string, LiveMember> members;
  ShardOwners target;                        // shard -> member it should go to
  std::map<std::string, ShardOwner> owners;  // shard -> member reading it now

  // Recomputes the target from the shards the group may read now: not
  // finished (closed and checkpointed with ShardEnd) and every parent
  // finished (a parent out of retention counts as finished). Raises the
  // generation when the target changes, drops owners of shards no longer
  // readable, hands pushed members' moved shards over, and grants free ones.
  void Rebalance(const StreamShards& shards, const StoredGroup& stored);
  // The member's heartbeat acknowledges that it stopped reading the shards
  // that moved away from it: they go to their new members.
  void Release(const std::string& member);
  // Removes the member (leave, expiry): its shards go to the others.
  void RemoveMember(const std::string& member);
  // The shards the member reads now (owner and target both), in order.
  std::vector<std::string> AssignmentOf(const std::string& member) const;
  // Some shard waits for its owner to hand it over.
  bool rebalancing() const;

 private:
  void Grant();
};

// Which shards `group` may read now: the shards of `shards` not finished
// whose parents are finished. In shard-id order.
std::vector<std::string> ReadableShards(const StreamShards& shards, const StoredGroup& group);

}  // namespace sluice::groups
