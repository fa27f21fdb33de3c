// The cluster's families of `/metrics` (docs/cluster.md, "Metrics and
// status"), in the Prometheus text format (metrics/exposition.h). Cardinality
// stays bounded by the shards this node leads: cluster-wide figures are
// counts, and only a led shard has series of its own.
//
//   sluice_cluster_live_nodes                       gauge: nodes with a live registration
//   sluice_cluster_member_nodes                     gauge: nodes that ever registered
//   sluice_cluster_shards{state}                    gauge: shard records by state (cluster_status.h),
//                                                   every state present
//   sluice_cluster_led_shards                       gauge: shards this node leads
//   sluice_cluster_isr_size{account,region,stream,shard}
//                                                   gauge: in-sync replicas of each shard this node leads
//   sluice_cluster_leader_changes_total             counter: leader epoch increases this node's view saw
//   sluice_cluster_is_controller                    gauge: 1 on the elected controller
//   sluice_cluster_failover_seconds                 histogram: shards' time without a live leader until
//                                                   this node, as controller, wrote one
//   sluice_cluster_replication_lag_records{account,region,stream,shard,follower}
//                                                   gauge: records a follower is behind (only with a
//                                                   ReplicaLagSource)
#pragma once

#include <cstdint>
#include <string>

#include "cluster/cluster_view.h"
#include "cluster/replication_metrics.h"
#include "metrics/exposition.h"
#include "util/atomic_histogram.h"

namespace sluice::cluster {

// What one scrape reports, read at that moment.
struct ClusterMetrics {
  std::string node_id;  // this node
  ClusterView::Snapshot view;
  int64_t leader_changes = 0;  // ClusterView::leader_changes()
  bool is_controller = false;
  HistogramSnapshot failovers;   // in milliseconds (FailoverTimer::durations)
  ReplicaLagSource replica_lag;  // may be empty
};

void AddClusterMetrics(const ClusterMetrics& cluster, metrics::Exposition& out);

}  // namespace sluice::cluster
