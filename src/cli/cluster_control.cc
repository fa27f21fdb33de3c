#include "cli/cluster_control.h"

#include "util/log.h"

namespace sluice::cli {

Result<std::unique_ptr<ClusterControl>> ClusterControl::Connect(const ServeConfig& config) {
  std::unique_ptr<ClusterControl> c(new ClusterControl());
  SLUICE_ASSIGN_OR_RETURN(c->etcd_, ConnectEtcd(config));
  c->catalog_ = std::make_shared<cluster::EtcdStreamCatalog>(*c->etcd_);
  return c;
}

ClusterControl::~ClusterControl() { Stop(); }

Status ClusterControl::StartController(const ClusterMembership& membership) {
  SLUICE_ASSIGN_OR_RETURN(view_, cluster::ClusterView::Open(*etcd_));
  cluster::ControllerOptions options;
  options.node_id = membership.node().id;
  options.lease = [&membership] { return membership.lease(); };
  controller_ = std::make_unique<cluster::Controller>(*etcd_, *view_, std::move(options));
  placement_ = std::make_shared<cluster::ClusterPlacement>(*view_, membership.node().id);
  log::Info("cluster: node {} campaigns for controller; stream metadata is kept in etcd", membership.node().id);
  return Status::Ok();
}

void ClusterControl::Stop() {
  if (controller_) controller_->Stop();
  if (catalog_) catalog_->Stop();
  placement_.reset();
  controller_.reset();
  view_.reset();
}

}  // namespace sluice::cli
