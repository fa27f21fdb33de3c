// GroupRecords: where the Coordinator keeps the durable state of consumer
// groups — each group's record and its shards' checkpoints. A single node
// keeps them in its data directory (GroupStore, groups/group_store.h); a
// cluster keeps them in etcd (cluster/etcd_group_records.h), where each
// group has one coordinating node at a time and the writes of a node that no
// longer coordinates it are refused.
//
// A change is applied in memory once it is accepted; the caller answers the
// client only once WhenDurable() reports the change's position durable.
//
// Threading: not thread-safe; the Coordinator serializes every call under
// its lock. WhenDurable's callback may run on another thread, or inline.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/types.h"
#include "groups/group_types.h"
#include "util/status.h"

namespace sluice::groups {

// One group as stored: its record and its checkpoints by shard id.
struct StoredGroup {
  GroupRecord record;
  std::map<std::string, Checkpoint> checkpoints;
};

class GroupRecords {
 public:
  virtual ~GroupRecords() = default;

  // Called before any other call naming `key`: makes sure this node may
  // answer for the group. Answers true when the group's state was (re)read,
  // so that what the caller holds in memory of the group (its members) is
  // out of date and must go. The single-node store answers false.
  // Errors: ServiceUnavailable (the group cannot be taken now; try again).
  virtual Result<bool> Claim(const GroupKey& key) = 0;

  // The groups held in memory (a cluster's store: those claimed).
  virtual const std::map<GroupKey, StoredGroup>& groups() const = 0;
  virtual const StoredGroup* Find(const GroupKey& key) const = 0;
  // Every group record of `stream`, in name order (a cluster's store reads
  // them all, claimed or not).
  virtual Result<std::vector<GroupRecord>> GroupsOf(const engine::StreamRef& stream) const = 0;

  // Each accepts one change, applies it, and returns the position to pass
  // to WhenDurable. On an error nothing changed.
  virtual Result<uint64_t> PutGroup(const GroupRecord& record) = 0;  // a new group: no checkpoints
  virtual Result<uint64_t> DeleteGroup(const GroupKey& key) = 0;     // with its checkpoints
  virtual Result<uint64_t> PutCheckpoint(const GroupKey& key, const Checkpoint& checkpoint) = 0;

  // Calls `done` once every change up to `position` is durable.
  virtual void WhenDurable(uint64_t position, std::function<void(Status)> done) = 0;
};

}  // namespace sluice::groups
