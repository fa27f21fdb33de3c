#include "cli/cluster_control.h"

#include "cluster/cluster_metrics.h"
#include "cluster/cluster_secrets.h"
#include "cluster/cluster_status.h"
#include "util/log.h"

namespace sluice::cli {

Result<std::unique_ptr<ClusterControl>> ClusterControl::Connect(const ServeConfig& config) {
  std::unique_ptr<ClusterControl> c(new ClusterControl());
  SLUICE_ASSIGN_OR_RETURN(c->etcd_, ConnectEtcd(config));
  c->catalog_ = std::make_shared<cluster::EtcdStreamCatalog>(*c->etcd_);
  SLUICE_ASSIGN_OR_RETURN(c->iterator_key_, cluster::LoadOrCreateIteratorKey(*c->etcd_));
  return c;
}

ClusterControl::~ClusterControl() {
  Stop();
  // The view first: its watch thread calls the controller's listener until
  // the view is gone, so the controller (stopped) outlives it.
  placement_.reset();
  view_.reset();
  controller_.reset();
}

Status ClusterControl::StartController(const ClusterMembership& membership) {
  SLUICE_ASSIGN_OR_RETURN(view_, cluster::ClusterView::Open(*etcd_));
  cluster::ControllerOptions options;
  options.node_id = membership.node().id;
  options.lease = [&membership] { return membership.lease(); };
  // One replica per shard until records are replicated: a shard's leader
  // never moves to a node without its records. A node's loss leaves its
  // shards leaderless (unavailable, not lost) until it returns.
  options.replication_factor = 1;
  controller_ = std::make_unique<cluster::Controller>(*etcd_, *view_, std::move(options));
  placement_ = std::make_shared<cluster::ClusterPlacement>(*view_, membership.node().id);
  joined_->Join(placement_);
  node_id_ = membership.node().id;
  observable_.store(true, std::memory_order_release);
  log::Info("cluster: node {} campaigns for controller; stream metadata is kept in etcd", membership.node().id);
  return Status::Ok();
}

void ClusterControl::AddMetrics(metrics::Exposition& out) const {
  if (!observable_.load(std::memory_order_acquire)) return;
  cluster::ClusterMetrics m{node_id_,
                            view_->snapshot(),
                            view_->leader_changes(),
                            controller_->is_controller(),
                            controller_->failovers().durations(),
                            replica_lag_};
  cluster::AddClusterMetrics(m, out);
}

std::string ClusterControl::StatusJson() const {
  if (!observable_.load(std::memory_order_acquire)) return cluster::ClusterStatusJson({});
  return cluster::ClusterStatusJson(cluster::ClusterStatusOf(view_->snapshot()));
}

void ClusterControl::Stop() {
  joined_->Leave();
  if (controller_) controller_->Stop();
  if (catalog_) catalog_->Stop();
  // The view, the placement on it and the stopped controller stay until
  // this object goes: a call under way in the engine may still be asking
  // the placement, and the view's watch may still wake the controller.
}

}  // namespace sluice::cli
