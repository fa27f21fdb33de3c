#include "cli/cluster_control.h"

#include "cluster/cluster_metrics.h"
#include "cluster/cluster_secrets.h"
#include "cluster/cluster_status.h"
#include "cluster/etcd_group_records.h"
#include "util/log.h"

namespace sluice::cli {

Result<std::unique_ptr<ClusterControl>> ClusterControl::Connect(const ServeConfig& config) {
  std::unique_ptr<ClusterControl> c(new ClusterControl());
  c->replication_factor_ = config.replication_factor;
  c->min_insync_replicas_ = static_cast<size_t>(config.min_insync_replicas);
  // A follower that has not caught up for as long as a crashed node stays
  // registered leaves the in-sync set: a write waits for a stalled replica
  // no longer than for a dead one.
  c->replica_lag_time_max_ms_ = config.cluster_session_ttl_s * 1000;
  c->node_id_ = config.node_id;
  c->group_placement_ = std::make_unique<cluster::RendezvousGroupPlacement>(c->node_id_);
  c->data_dir_ = config.data_dir;
  SLUICE_ASSIGN_OR_RETURN(c->etcd_, ConnectEtcd(config));
  c->catalog_ = std::make_shared<cluster::EtcdStreamCatalog>(*c->etcd_);
  c->accounts_ = std::make_shared<cluster::EtcdAccountPersistence>(*c->etcd_);
  c->dynamodb_tables_ = std::make_unique<cluster::EtcdTables>(*c->etcd_);
  SLUICE_ASSIGN_OR_RETURN(c->iterator_key_, cluster::LoadOrCreateIteratorKey(*c->etcd_));
  c->channels_ = std::make_shared<cluster::EtcdChannelPersistence>(*c->etcd_);
  c->delivery_checkpoints_ = std::make_shared<cluster::EtcdDeliveryCheckpoints>(*c->etcd_);
  // Under --auth the nodes' calls to each other are signed with the cluster's peer key.
  cluster::PeerClientOptions peer_options;
  if (!config.auth_file.empty()) {
    SLUICE_ASSIGN_OR_RETURN(c->peer_key_, cluster::LoadOrCreatePeerKey(*c->etcd_));
    c->peer_signer_ = std::make_shared<auth::PeerSigner>(c->peer_key_, config.node_id);
    peer_options.signer = c->peer_signer_;
  }
  c->peer_client_ = std::make_unique<cluster::PeerClient>(peer_options);
  return c;
}

ClusterControl::~ClusterControl() {
  Stop();
  // The view first: its watch thread calls the controller's and the
  // replicas' listeners until the view is gone, so they (stopped) outlive it.
  placement_.reset();
  if (group_placement_) group_placement_->SetView(nullptr);
  view_.reset();
  if (stores_) stores_->SetIsrSink(nullptr);  // the stores may outlive the writer
  isr_writer_.reset();
  controller_.reset();
}

std::shared_ptr<engine::ShardStoreFactory> ClusterControl::ShardStores(
    std::shared_ptr<engine::LocalShardStoreFactory> local) {
  cluster::ReplicatedStoreOptions options;
  options.node_id = node_id_;
  options.data_dir = data_dir_;
  options.min_insync_replicas = min_insync_replicas_;
  options.replica_lag_time_max_ms = replica_lag_time_max_ms_;
  // Each follower has a fetch loop, held at the leader until records come.
  options.manager.fetch_threads = true;
  // A refused fetch is mostly a leader that has not yet applied its record
  // (a new shard, a failover): soon asked again.
  options.manager.fetch_retry_ms = 50;
  stores_ = std::make_shared<cluster::ReplicatedShardStores>(std::move(local), peer_client_.get(), std::move(options));
  return stores_;
}

Status ClusterControl::StartController(const ClusterMembership& membership) {
  if (stores_) {
    // Leaderships from before a restart: taken back under new epochs first.
    SLUICE_ASSIGN_OR_RETURN(int renewed, cluster::RenewOwnLeaderships(*etcd_, membership.node().id));
    if (renewed > 0) log::Info("cluster: took back the leadership of {} shards under new epochs", renewed);
  }
  SLUICE_ASSIGN_OR_RETURN(view_, cluster::ClusterView::Open(*etcd_));
  cluster::ControllerOptions options;
  options.node_id = membership.node().id;
  options.lease = [&membership] { return membership.lease(); };
  options.replication_factor = replication_factor_;
  controller_ = std::make_unique<cluster::Controller>(*etcd_, *view_, std::move(options));
  if (stores_) {
    // The leaders' in-sync set changes go to etcd; every record change
    // reaches this node's replicas through the view.
    isr_writer_ = std::make_unique<cluster::IsrWriter>(*etcd_, *view_, membership.node().id);
    isr_writer_->Start();
    stores_->SetIsrSink([writer = isr_writer_.get()](const cluster::IsrProposal& p) { writer->Propose(p); });
    view_->AddListener([stores = stores_, view = view_.get()] { stores->Apply(view->snapshot()); });
    stores_->Apply(view_->snapshot());
    stores_->Start([view = view_.get()] { return view->snapshot(); });
    if (!replica_lag_) replica_lag_ = [stores = stores_] { return stores->LagSamples(); };
  }
  placement_ = std::make_shared<cluster::ClusterPlacement>(*view_, membership.node().id);
  joined_->Join(placement_);
  group_placement_->SetView(view_.get());
  observable_.store(true, std::memory_order_release);
  log::Info("cluster: node {} campaigns for controller; stream metadata is kept in etcd", membership.node().id);
  return Status::Ok();
}

std::unique_ptr<groups::GroupRecords> ClusterControl::OpenGroupRecords() const {
  const cluster::RendezvousGroupPlacement* placement = group_placement_.get();
  return std::make_unique<cluster::EtcdGroupRecords>(*etcd_, node_id_, [placement] { return placement->LiveNodes(); });
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
  if (isr_writer_) isr_writer_->Stop();
  if (catalog_) catalog_->Stop();
  if (accounts_) accounts_->Stop();
  if (channels_) channels_->Stop();
  // The view, the placement on it and the stopped controller stay until
  // this object goes: a call under way in the engine may still be asking
  // the placement, and the view's watch may still wake the controller.
}

}  // namespace sluice::cli
