// The seam through which a node's replicas report how far their followers
// are behind, for `/metrics` (cluster_metrics.h): whoever runs the replicas
// sets a ReplicaLagSource; without one no lag is reported.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "cluster/shard_leadership.h"

namespace sluice::cluster {

// One follower of a shard this node leads.
struct ReplicaLagSample {
  ShardId shard;
  std::string follower;     // node id
  int64_t lag_records = 0;  // the leader's log end minus the follower's last fetched end
};

// The samples of every shard this node leads, read at a scrape, from any
// thread.
using ReplicaLagSource = std::function<std::vector<ReplicaLagSample>()>;

}  // namespace sluice::cluster
