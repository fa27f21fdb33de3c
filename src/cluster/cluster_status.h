// The cluster's state as `sluice cluster status` and the console's cluster
// page show it (docs/cluster.md, "Metrics and status"): every node with its
// health, every shard's leadership record with a state, the shards that need
// attention first, and a summary. Built from etcd's keys read at once
// (ListNodes, ListShardRecords) or from a node's ClusterView; pure functions
// of those, so they are tested without etcd.
#pragma once

#include <array>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/cluster_view.h"
#include "cluster/node_registry.h"
#include "cluster/shard_leadership.h"

namespace sluice::cluster {

// A shard's state, in the order shards are listed: those needing attention first.
enum class ShardState {
  kLeaderless,       // assigned, and no leader, or its leader is not a live node
  kUnderReplicated,  // led by a live node, with fewer in-sync replicas than replicas
  kUnassigned,       // declared, not yet given replicas by the controller
  kInSync,           // led by a live node, every replica in sync
};
inline constexpr size_t kShardStates = 4;

// "leaderless", "under-replicated", "unassigned", "in-sync".
std::string_view ShardStateName(ShardState state);
ShardState StateOf(const ShardLeadership& leadership, const std::set<std::string>& live_nodes);

struct ClusterStatus {
  std::vector<NodeStatus> nodes;    // by id
  std::vector<ShardRecord> shards;  // by state (ShardState's order), then by id
};

// Sorts `shards` as ClusterStatus keeps them.
ClusterStatus MakeClusterStatus(std::vector<NodeStatus> nodes, std::vector<ShardRecord> shards);
// The status as `view` holds it: its members and live nodes, its records.
ClusterStatus ClusterStatusOf(const ClusterView::Snapshot& view);
// Keeps only the shards of streams named `stream` (in any account and region).
void KeepStream(ClusterStatus& status, std::string_view stream);

std::set<std::string> LiveNodeIds(const ClusterStatus& status);

struct StatusSummary {
  int nodes_alive = 0;
  int nodes_total = 0;
  std::array<int, kShardStates> shards{};  // by ShardState
  int shard_count() const { return shards[0] + shards[1] + shards[2] + shards[3]; }
};
StatusSummary Summarize(const ClusterStatus& status);
// "nodes: 3 of 3 alive; shards: 4 (4 in-sync, 0 under-replicated, 0 leaderless, 0 unassigned)"
std::string SummaryLine(const StatusSummary& summary);

// {"nodes":[{"id","advertise","alive","started_ms","version"}],
//  "shards":[{"account","region","stream","stream_creation_ms","shard","state","leader",
//             "leader_epoch","replicas","isr"}],
//  "summary":{"nodes_alive","nodes_total","shards","in-sync","under-replicated","leaderless",
//             "unassigned"}}
std::string ClusterStatusJson(const ClusterStatus& status);

}  // namespace sluice::cluster
