// Cluster mode of `sluice serve` (--cluster, docs/cluster.md): this node's
// registration in etcd for as long as it serves. Without --cluster none of
// this runs and no etcd is contacted.
#pragma once

#include <cstdint>
#include <memory>

#include "cli/serve_config.h"
#include "cluster/etcd_client.h"
#include "cluster/node_registry.h"
#include "util/status.h"

namespace sluice::cli {

// The cluster flags make sense together: --node-id with --cluster, and
// neither --node-id nor --advertise without it. Errors: InvalidArgument.
Status CheckClusterFlags(const ServeConfig& config);
// A client of the etcd endpoints --cluster names. Errors: InvalidArgument.
Result<std::unique_ptr<cluster::EtcdClient>> ConnectEtcd(const ServeConfig& config);

class ClusterMembership {
 public:
  // Registers this node (serving on `port`) in the cluster's etcd. Errors:
  // ResourceInUse when a live node has the same id; TimedOut naming the
  // endpoint when etcd does not answer.
  static Result<std::unique_ptr<ClusterMembership>> Join(const ServeConfig& config, uint16_t port);

  // Ends the registration at once (a clean stop); the node stays a member.
  void Leave() { registration_->Leave(); }
  const cluster::NodeInfo& node() const { return node_; }
  // The node's session lease (0 while it has none).
  int64_t lease() const { return registration_->lease(); }

 private:
  ClusterMembership() = default;

  cluster::NodeInfo node_;
  std::unique_ptr<cluster::EtcdClient> etcd_;
  std::unique_ptr<cluster::NodeRegistration> registration_;
};

}  // namespace sluice::cli
