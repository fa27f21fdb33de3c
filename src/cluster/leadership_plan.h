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
                                             const std::set<std::string>& live_nodes, int replication_factor);

}  // namespace sluice::cluster
