#include "cluster/cluster_metrics.h"

#include "cluster/cluster_status.h"

namespace sluice::cluster {
namespace {

using metrics::Labels;
using metrics::MetricType;

Labels ShardLabels(const ShardId& id) {
  return {{"account", id.account}, {"region", id.region}, {"stream", id.stream}, {"shard", ShardName(id.shard_index)}};
}

}  // namespace

void AddClusterMetrics(const ClusterMetrics& cluster, metrics::Exposition& out) {
  const ClusterStatus status = ClusterStatusOf(cluster.view);
  const StatusSummary summary = Summarize(status);
  out.Declare("sluice_cluster_live_nodes", "Nodes of the cluster with a live registration in etcd.", MetricType::kGauge)
      .Add({}, int64_t{summary.nodes_alive});
  out.Declare("sluice_cluster_member_nodes", "Nodes that ever registered in the cluster, alive or not.",
              MetricType::kGauge)
      .Add({}, int64_t{summary.nodes_total});
  metrics::Family& shards = out.Declare(
      "sluice_cluster_shards",
      "Shard leadership records by state: in-sync, under-replicated, leaderless (no live leader), unassigned.",
      MetricType::kGauge);
  for (ShardState state :
       {ShardState::kInSync, ShardState::kUnderReplicated, ShardState::kLeaderless, ShardState::kUnassigned}) {
    shards.Add({{"state", std::string(ShardStateName(state))}}, int64_t{summary.shards[static_cast<size_t>(state)]});
  }
  metrics::Family& isr =
      out.Declare("sluice_cluster_isr_size", "In-sync replicas of each shard this node leads.", MetricType::kGauge);
  int64_t led = 0;
  for (const ShardRecord& r : cluster.view.shards) {
    if (r.leadership.leader != cluster.node_id) continue;
    ++led;
    isr.Add(ShardLabels(r.id), static_cast<int64_t>(r.leadership.isr.size()));
  }
  out.Declare("sluice_cluster_led_shards", "Shards this node leads.", MetricType::kGauge).Add({}, led);
  out.Declare("sluice_cluster_leader_changes_total",
              "Leader epoch increases this node's view of the cluster saw (assignments, failovers, rebalances).",
              MetricType::kCounter)
      .Add({}, cluster.leader_changes);
  out.Declare("sluice_cluster_is_controller", "1 on the node elected controller, 0 on the others.", MetricType::kGauge)
      .Add({}, int64_t{cluster.is_controller ? 1 : 0});
  out.Declare("sluice_cluster_failover_seconds",
              "Time shards went without a live leader until this node, as controller, wrote a new one.",
              MetricType::kHistogram)
      .AddHistogram({}, cluster.failovers, 1e-3);
  if (!cluster.replica_lag) return;
  metrics::Family& lag =
      out.Declare("sluice_cluster_replication_lag_records",
                  "Records a follower of a shard this node leads is behind the leader's log end.", MetricType::kGauge);
  for (const ReplicaLagSample& sample : cluster.replica_lag()) {
    Labels labels = ShardLabels(sample.shard);
    labels.emplace_back("follower", sample.follower);
    lag.Add(labels, sample.lag_records);
  }
}

}  // namespace sluice::cluster
