// Cluster mode's shared control plane in `sluice serve` (docs/cluster.md):
// the stream catalogue in etcd, which the engine keeps its stream metadata
// in (cluster/etcd_stream_catalog.h), and, once the node has joined, the
// cluster view, the controller (campaigning; when elected, keeping a shard
// leadership record for every shard) and the placement built from the view.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "auth/peer_signature.h"
#include "cli/cluster_membership.h"
#include "cli/serve_config.h"
#include "cluster/cluster_placement.h"
#include "cluster/cluster_view.h"
#include "cluster/controller.h"
#include "cluster/etcd_account_persistence.h"
#include "cluster/etcd_channel_persistence.h"
#include "cluster/etcd_client.h"
#include "cluster/etcd_delivery_checkpoints.h"
#include "cluster/etcd_stream_catalog.h"
#include "cluster/etcd_tables.h"
#include "cluster/group_placement.h"
#include "groups/group_records.h"
#include "cluster/isr_writer.h"
#include "cluster/peer_client.h"
#include "cluster/replicated_stores.h"
#include "cluster/replication_metrics.h"
#include "engine/engine.h"
#include "engine/local_shard_store.h"
#include "metrics/exposition.h"
#include "util/status.h"

namespace sluice::cli {

class ClusterControl {
 public:
  // Connects to the cluster's etcd. Errors: InvalidArgument (--cluster).
  static Result<std::unique_ptr<ClusterControl>> Connect(const ServeConfig& config);
  ~ClusterControl();  // Stop()

  // For EngineOptions::catalog: the engine loads its streams from etcd.
  std::shared_ptr<engine::StreamCatalog> catalog() const { return catalog_; }
  // For EngineOptions::accounts: the account settings and resource policies
  // in etcd, one document for the whole cluster.
  std::shared_ptr<engine::AccountPersistence> accounts() const { return accounts_; }
  // For dynamodb::StoreOptions::shared: the DynamoDB tables, in etcd.
  dynamodb::SharedTables* dynamodb_tables() const { return dynamodb_tables_.get(); }
  // For EngineOptions::placement: which node leads each shard, from the
  // controller's records once StartController has read them (until then
  // every shard is leaderless, and calls get the retryable NotLeader).
  std::shared_ptr<engine::ShardPlacement> placement() const { return joined_; }
  // For EngineOptions::iterator_key: the cluster's, so an iterator from any
  // node is valid on every node.
  const std::string& iterator_key() const { return iterator_key_; }
  // Under --auth: the cluster's peer key (cluster/cluster_secrets.h), which
  // this node's peer calls are signed with and other nodes' are checked
  // against; the signer is null and the key empty without --auth.
  const std::string& peer_key() const { return peer_key_; }
  std::shared_ptr<const auth::PeerSigner> peer_signer() const { return peer_signer_; }
  // For the ChannelRegistry: the channels in etcd, one document for the
  // whole cluster.
  std::shared_ptr<channels::RegistryPersistence> channels() const { return channels_; }
  // For DeliveryOptions::checkpoints: each channel's delivery checkpoint in
  // etcd, merged from the nodes delivering the shards they lead.
  std::shared_ptr<channels::CheckpointStores> delivery_checkpoints() const { return delivery_checkpoints_; }
  // For EngineOptions::shard_stores: each shard's records replicated over
  // the nodes (cluster/replicated_stores.h), kept in logs opened by `local`.
  // Call once, before the engine opens.
  std::shared_ptr<engine::ShardStoreFactory> ShardStores(std::shared_ptr<engine::LocalShardStoreFactory> local);
  // The peer endpoint's answer to the followers' fetches (after ShardStores).
  cluster::FetchHandler* fetch_handler() const { return stores_.get(); }
  // Applies every change other nodes make to `engine`, which must outlive
  // Stop(). Call once the engine is open.
  void Follow(engine::Engine& engine) { catalog_->Follow(engine); }
  // Reads the cluster view, starts the controller, with `membership`'s
  // lease (it must outlive Stop()), and the replication: the replicas
  // follow the shard records from here on. Errors: those of the etcd calls.
  Status StartController(const ClusterMembership& membership);
  // The cluster's /metrics families (cluster/cluster_metrics.h) and its
  // status as the console's cluster page reads it (cluster_status.h), from
  // the view; no families and no nodes before StartController. Any thread.
  void AddMetrics(metrics::Exposition& out) const;
  std::string StatusJson() const;
  // Where /metrics reads the followers' lag from. Call before serving.
  void SetReplicaLagSource(cluster::ReplicaLagSource source) { replica_lag_ = std::move(source); }
  // Consumer groups (docs/cluster.md, "Consumer groups"): which node
  // coordinates each group (none known before StartController), and the
  // groups' records in etcd, for the groups::Coordinator.
  groups::GroupPlacement* group_placement() const { return group_placement_.get(); }
  std::unique_ptr<groups::GroupRecords> OpenGroupRecords() const;
  // Stops the controller (resigning) and the watches. Idempotent.
  void Stop();

 private:
  ClusterControl() = default;

  int replication_factor_ = 3;
  size_t min_insync_replicas_ = 2;
  int64_t replica_lag_time_max_ms_ = 10'000;
  std::string node_id_;
  std::string data_dir_;
  std::unique_ptr<cluster::EtcdClient> etcd_;
  std::shared_ptr<cluster::EtcdStreamCatalog> catalog_;
  std::shared_ptr<cluster::EtcdAccountPersistence> accounts_;
  std::unique_ptr<cluster::EtcdTables> dynamodb_tables_;
  std::unique_ptr<cluster::ClusterView> view_;
  std::unique_ptr<cluster::Controller> controller_;
  std::unique_ptr<cluster::PeerClient> peer_client_;
  std::shared_ptr<cluster::ReplicatedShardStores> stores_;
  std::unique_ptr<cluster::IsrWriter> isr_writer_;
  std::shared_ptr<cluster::EtcdChannelPersistence> channels_;
  std::shared_ptr<cluster::EtcdDeliveryCheckpoints> delivery_checkpoints_;
  std::shared_ptr<cluster::ClusterPlacement> placement_;  // from the view
  std::shared_ptr<cluster::JoinedPlacement> joined_ = std::make_shared<cluster::JoinedPlacement>();
  std::string iterator_key_;
  std::string peer_key_;
  std::shared_ptr<const auth::PeerSigner> peer_signer_;
  cluster::ReplicaLagSource replica_lag_;
  std::atomic<bool> observable_{false};                                 // view_, controller_ and node_id_ are set
  std::unique_ptr<cluster::RendezvousGroupPlacement> group_placement_;  // its view set by StartController
};

}  // namespace sluice::cli
