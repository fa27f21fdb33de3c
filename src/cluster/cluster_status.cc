#include "cluster/cluster_status.h"

#include <algorithm>

#include "protocol/json_writer.h"

namespace sluice::cluster {
namespace {

constexpr ShardState kReportOrder[] = {ShardState::kInSync, ShardState::kUnderReplicated, ShardState::kLeaderless,
                                       ShardState::kUnassigned};

}  // namespace

std::string_view ShardStateName(ShardState state) {
  switch (state) {
    case ShardState::kLeaderless: return "leaderless";
    case ShardState::kUnderReplicated: return "under-replicated";
    case ShardState::kUnassigned: return "unassigned";
    case ShardState::kInSync: return "in-sync";
  }
  return "unknown";
}

ShardState StateOf(const ShardLeadership& leadership, const std::set<std::string>& live_nodes) {
  if (!leadership.assigned()) return ShardState::kUnassigned;
  if (leadership.leaderless() || !live_nodes.contains(leadership.leader)) return ShardState::kLeaderless;
  return leadership.under_replicated() ? ShardState::kUnderReplicated : ShardState::kInSync;
}

std::set<std::string> LiveNodeIds(const ClusterStatus& status) {
  std::set<std::string> live;
  for (const NodeStatus& n : status.nodes) {
    if (n.alive) live.insert(n.info.id);
  }
  return live;
}

ClusterStatus MakeClusterStatus(std::vector<NodeStatus> nodes, std::vector<ShardRecord> shards) {
  ClusterStatus status{std::move(nodes), std::move(shards)};
  const std::set<std::string> live = LiveNodeIds(status);
  std::stable_sort(status.shards.begin(), status.shards.end(), [&](const ShardRecord& a, const ShardRecord& b) {
    const ShardState sa = StateOf(a.leadership, live);
    const ShardState sb = StateOf(b.leadership, live);
    return sa != sb ? sa < sb : a.id < b.id;
  });
  return status;
}

ClusterStatus ClusterStatusOf(const ClusterView::Snapshot& view) {
  return MakeClusterStatus(JoinNodes(view.members, view.live_nodes, view.decommissioned), view.shards);
}

void KeepStream(ClusterStatus& status, std::string_view stream) {
  std::erase_if(status.shards, [&](const ShardRecord& r) { return r.id.stream != stream; });
}

StatusSummary Summarize(const ClusterStatus& status) {
  StatusSummary s;
  const std::set<std::string> live = LiveNodeIds(status);
  s.nodes_total = static_cast<int>(status.nodes.size());
  s.nodes_alive = static_cast<int>(live.size());
  for (const ShardRecord& r : status.shards) ++s.shards[static_cast<size_t>(StateOf(r.leadership, live))];
  return s;
}

std::string SummaryLine(const StatusSummary& summary) {
  std::string line = "nodes: " + std::to_string(summary.nodes_alive) + " of " + std::to_string(summary.nodes_total) +
                     " alive; shards: " + std::to_string(summary.shard_count()) + " (";
  for (ShardState state : kReportOrder) {
    if (state != kReportOrder[0]) line += ", ";
    line += std::to_string(summary.shards[static_cast<size_t>(state)]) + " " + std::string(ShardStateName(state));
  }
  return line + ")";
}

std::string ClusterStatusJson(const ClusterStatus& status) {
  const std::set<std::string> live = LiveNodeIds(status);
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("nodes");
  w.BeginArray();
  for (const NodeStatus& n : status.nodes) {
    w.BeginObject();
    w.Member("id", n.info.id);
    w.Member("advertise", n.info.advertise);
    w.MemberBool("alive", n.alive);
    w.MemberBool("decommissioned", n.decommissioned);
    w.MemberInt("started_ms", n.info.started_ms);
    w.Member("version", n.info.version);
    w.EndObject();
  }
  w.EndArray();
  w.Key("shards");
  w.BeginArray();
  for (const ShardRecord& r : status.shards) {
    w.BeginObject();
    w.Member("account", r.id.account);
    w.Member("region", r.id.region);
    w.Member("stream", r.id.stream);
    w.MemberInt("stream_creation_ms", r.id.creation_ms);
    w.Member("shard", ShardName(r.id.shard_index));
    w.Member("state", ShardStateName(StateOf(r.leadership, live)));
    WriteShardLeadershipMembers(w, r.leadership);
    w.EndObject();
  }
  w.EndArray();
  const StatusSummary summary = Summarize(status);
  w.Key("summary");
  w.BeginObject();
  w.MemberInt("nodes_alive", summary.nodes_alive);
  w.MemberInt("nodes_total", summary.nodes_total);
  w.MemberInt("shards", summary.shard_count());
  for (ShardState state : kReportOrder) w.MemberInt(ShardStateName(state), summary.shards[static_cast<size_t>(state)]);
  w.EndObject();
  w.EndObject();
  return out;
}

}  // namespace sluice::cluster
