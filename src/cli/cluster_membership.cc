#include "cli/cluster_membership.h"

#include "cli/version.h"
#include "util/clock.h"
#include "util/log.h"

namespace sluice::cli {

Status CheckClusterFlags(const ServeConfig& config) {
  if (config.cluster.empty()) {
    if (!config.node_id.empty() || !config.advertise.empty()) {
      return Status::InvalidArgument("--node-id and --advertise are for cluster mode: give --cluster too");
    }
    return Status::Ok();
  }
  if (config.node_id.empty()) return Status::InvalidArgument("--cluster needs --node-id (this node's id)");
  if (config.min_insync_replicas > config.replication_factor) {
    return Status::InvalidArgument("--min-insync-replicas (" + std::to_string(config.min_insync_replicas) +
                                   ") cannot be larger than --replication-factor (" +
                                   std::to_string(config.replication_factor) + ")");
  }
  return Status::Ok();
}

Result<std::unique_ptr<cluster::EtcdClient>> ConnectEtcd(const ServeConfig& config) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> endpoints, cluster::ParseClusterUrl(config.cluster));
  cluster::EtcdOptions options;
  options.endpoints = std::move(endpoints);
  return cluster::EtcdClient::Create(std::move(options));
}

Result<std::unique_ptr<ClusterMembership>> ClusterMembership::Join(const ServeConfig& config, uint16_t port) {
  std::unique_ptr<ClusterMembership> m(new ClusterMembership());
  m->node_.id = config.node_id;
  m->node_.advertise = config.advertise.empty() ? config.host + ":" + std::to_string(port) : config.advertise;
  m->node_.started_ms = SystemClock::Instance().NowMillis();
  m->node_.version = std::string(VersionLine());
  SLUICE_ASSIGN_OR_RETURN(m->etcd_, ConnectEtcd(config));
  Result<std::unique_ptr<cluster::NodeRegistration>> registered =
      cluster::NodeRegistration::Register(*m->etcd_, m->node_, config.cluster_session_ttl_s);
  if (!registered.ok()) {
    return Status(registered.status().code(),
                  "cannot join the cluster at " + config.cluster + ": " + registered.status().message());
  }
  m->registration_ = std::move(registered).value();
  log::Info("cluster: node {} registered in etcd at {} (advertised at {}, session TTL {} s)", m->node_.id,
            config.cluster, m->node_.advertise, config.cluster_session_ttl_s);
  return m;
}

}  // namespace sluice::cli
