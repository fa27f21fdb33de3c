// The controller (docs/cluster.md, "The controller"): every node runs one;
// the node that wins the election (controller_election.h) keeps a shard
// leadership record for every shard of every stream in the catalogue
// (etcd_stream_catalog.h), and the records in line with the live nodes, by the rules of
// leadership_plan.h, whenever its ClusterView changes (and every second).
// Each write is a transaction that compares the record's mod_revision and
// the controller key's (the term's claim revision): a stale view or a
// deposed controller writes nothing, and the next round reads again.
//
// Threading: reconciling runs on a thread of its own.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "cluster/cluster_view.h"
#include "cluster/controller_election.h"
#include "cluster/etcd_client.h"
#include "cluster/failover_timer.h"
#include "util/status.h"

namespace sluice::cluster {

struct ControllerOptions {
  std::string node_id;
  std::function<int64_t()> lease;  // the node's session lease (ElectionOptions::lease)
  int replication_factor = 3;      // capped by the live nodes
  int64_t election_recheck_ms = 1000;
  int64_t reconcile_interval_ms = 1000;
};

class Controller {
 public:
  // Starts campaigning and reconciling. `client` and `view` must outlive it.
  Controller(EtcdClient& client, ClusterView& view, ControllerOptions options);
  ~Controller();  // Stop()
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Stops reconciling and resigns. Idempotent.
  void Stop();

  bool is_controller() const { return election_->is_controller(); }
  Term term() const { return election_->term(); }
  // Records this node wrote as controller.
  int64_t changes_written() const { return changes_written_.load(); }
  // How long shards went without a live leader until this node, as
  // controller, wrote one (failover_timer.h).
  const FailoverTimer& failovers() const { return failovers_; }

 private:
  void Run();
  // Declares an (unassigned) record for every shard of every catalogued
  // stream that has none, and removes the records of shards no stream has.
  Status SyncShardRecords(const Term& term, const ClusterView::Snapshot& view);
  Status Reconcile(const Term& term, const ClusterView::Snapshot& view);
  void Wake();

  EtcdClient& client_;
  ClusterView& view_;
  const ControllerOptions options_;
  std::atomic<int64_t> changes_written_{0};
  FailoverTimer failovers_;  // on the thread
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool woken_ = false;
  std::unique_ptr<ControllerElection> election_;
  std::thread thread_;
};

}  // namespace sluice::cluster
