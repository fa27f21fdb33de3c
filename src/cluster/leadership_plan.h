// What the controller writes (docs/cluster.md, "The controller"): from every
// shard's leadership record and the set of live nodes, the records that
// should change. A pure function, so the rules are tested without etcd:
//
// - An unassigned shard gets min(replication_factor, live nodes) replicas;
//   its leader (replicas[0], the preferred leader) is the live node leading
//   fewest shards, the followers those holding fewest replicas; isr =
//   replicas; epoch + 1.
// - A node that is not live leaves every ISR, unless it is the ISR's last
//   member (which then stays, so that its return can lead again).
// - A shard whose leader is not live, or that has none, gets a live ISR
//   member: the preferred leader if it is one, else the member leading fewest
//   shards; epoch + 1. No live ISR member: no leader (never one outside the
//   ISR).
// - A shard led by another than its live, in-sync preferred leader moves back
//   to it (the rebalance after a node returns); epoch + 1.
//
// Decommissioned nodes (node_registry.h) get no new replicas, and leadership
// moves to one only when no other ISR member is live. Each replica on one is
// replaced in two steps, so the ISR never shrinks for it:
// - Add: the live, not decommissioned node holding fewest replicas, and not
//   one of the shard's, goes into replicas right after it (not into the
//   ISR: the leader adds it once it has caught up), and the record names the
//   decommissioned replica in `removing`. The leader and epoch stay. No such
//   node: nothing changes, the replica stays.
// - Drop: once every replica but those in `removing` is in the ISR, they
//   leave replicas and ISR; if one of them led, leadership goes to the new
//   replicas[0] (the preferred leader) if live, else to the live member
//   leading fewest shards; epoch + 1.
// A mark removed before the drop clears `removing`; the replacement stays.
//
// Leader epochs only grow: every change of leader, to none included, adds one.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "cluster/shard_leadership.h"

namespace sluice::cluster {

struct LeadershipChange {
  size_t shard;  // index into the records given
  ShardLeadership next;
};

std::vector<LeadershipChange> PlanLeadership(const std::vector<ShardRecord>& shards,
                                             const std::set<std::string>& live_nodes, int replication_factor,
                                             const std::set<std::string>& decommissioned = {});

}  // namespace sluice::cluster
