// The consumer groups' durable state in a cluster (docs/cluster.md,
// "Consumer groups"): groups::GroupRecords over etcd, one key per group and
// per checkpoint, and a coordinator key per group that fences the writes of
// a node that no longer coordinates it.
//
//   /sluice/v1/groups/<account>/<region>/<stream>/<group>/record
//       the group's record (groups/group_codec.h's EncodeGroupRecord)
//   /sluice/v1/groups/<account>/<region>/<stream>/<group>/checkpoints/<shard>
//       one checkpoint (EncodeCheckpoint)
//   /sluice/v1/groups/<account>/<region>/<stream>/<group>/coordinator
//       {"node":<id>}: the node that last took the group
//
// Claim: a node takes a group by writing the coordinator key with a
// compare on its mod_revision (the one it read), then reads the group's
// record and checkpoints: they are then its own to change, and Claim
// answers true (the members it held of the group, if any, are stale). Every
// write is one transaction comparing the coordinator key's mod_revision with
// the one this node wrote: once another node has taken the group, this
// node's writes are refused (ServiceUnavailable, "try again"), it forgets
// the group, and its next Claim takes it again. A claim stays good without
// an etcd call until the live nodes change (`live_nodes` answers something
// else); it is then checked again by one read of the coordinator key.
//
// Threading: as GroupRecords (the Coordinator's lock).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "cluster/etcd_client.h"
#include "groups/group_records.h"

namespace sluice::cluster {

inline constexpr std::string_view kGroupsPrefix = "/sluice/v1/groups/";

// The prefix of one group's keys, ending in '/'.
std::string GroupKeyPrefix(const groups::GroupKey& key);

class EtcdGroupRecords final : public groups::GroupRecords {
 public:
  // `client` outlives the records; `node_id` is this node's; `live_nodes`
  // answers a text that changes whenever the set of live nodes does.
  EtcdGroupRecords(EtcdClient& client, std::string node_id, std::function<std::string()> live_nodes)
      : client_(client), node_id_(std::move(node_id)), live_nodes_(std::move(live_nodes)) {}

  Result<bool> Claim(const groups::GroupKey& key) override;
  const std::map<groups::GroupKey, groups::StoredGroup>& groups() const override { return groups_; }
  const groups::StoredGroup* Find(const groups::GroupKey& key) const override;
  Result<std::vector<groups::GroupRecord>> GroupsOf(const engine::StreamRef& stream) const override;
  Result<uint64_t> PutGroup(const groups::GroupRecord& record) override;
  Result<uint64_t> DeleteGroup(const groups::GroupKey& key) override;
  Result<uint64_t> PutCheckpoint(const groups::GroupKey& key, const groups::Checkpoint& checkpoint) override;
  // Every write is durable in etcd once accepted: `done` runs inline.
  void WhenDurable(uint64_t position, std::function<void(Status)> done) override;

 private:
  struct Held {
    int64_t revision = 0;    // the coordinator key's mod_revision this node wrote
    std::string live_nodes;  // live_nodes_() when last checked
  };
  // Reads the group's record and checkpoints into groups_.
  Status Load(const groups::GroupKey& key);
  // One write under the claim: compares the coordinator key, then `ops`.
  // Refused: the claim and the group are forgotten, ServiceUnavailable.
  Status Write(const groups::GroupKey& key, std::vector<TxnOp> ops);
  // Adds the deletes of every checkpoint the group has to `ops`.
  void DeleteCheckpoints(const groups::GroupKey& key, std::vector<TxnOp>* ops) const;

  EtcdClient& client_;
  const std::string node_id_;
  const std::function<std::string()> live_nodes_;
  std::map<groups::GroupKey, Held> held_;
  std::map<groups::GroupKey, groups::StoredGroup> groups_;
};

}  // namespace sluice::cluster
