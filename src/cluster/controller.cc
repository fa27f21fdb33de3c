#include "cluster/controller.h"

#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/ranges.h>

#include "cluster/leadership_plan.h"
#include "util/log.h"

namespace sluice::cluster {
namespace {

const ShardId& IdOf(const ShardId& id) { return id; }
const ShardId& IdOf(const ShardRecord& record) { return record.id; }

int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::set<std::string> LiveIds(const ClusterView::Snapshot& view) {
  std::set<std::string> live;
  for (const auto& [id, node] : view.live_nodes) live.insert(id);
  return live;
}

}  // namespace

Controller::Controller(EtcdClient& client, ClusterView& view, ControllerOptions options)
    : client_(client), view_(view), options_(std::move(options)) {
  view_.AddListener([this] { Wake(); });
  ElectionOptions election;
  election.node_id = options_.node_id;
  election.lease = options_.lease;
  election.recheck_ms = options_.election_recheck_ms;
  election.on_elected = [this](const Term&) { Wake(); };
  election_ = std::make_unique<ControllerElection>(client_, std::move(election));
  thread_ = std::thread([this] { Run(); });
}

Controller::~Controller() { Stop(); }

void Controller::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  election_->Stop();
}

void Controller::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void Controller::Run() {
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(options_.reconcile_interval_ms),
                   [this] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
    }
    // Every node times leaderless shards, so a controller elected during a
    // failover counts from when its view lost the leader.
    const ClusterView::Snapshot view = view_.snapshot();
    failovers_.Observe(view.shards, LiveIds(view), SteadyMillis());
    if (!election_->is_controller()) continue;
    if (Status s = Reconcile(election_->term(), view); !s.ok()) log::Warn("controller: {}", s.ToString());
  }
}

Status Controller::SyncShardRecords(const Term& term, const ClusterView::Snapshot& view) {
  const Compare fence = Compare::ModRevision(std::string(kControllerKey), term.claim_revision);
  // Both lists are in id order.
  for (const ShardId& id : view.catalogued) {
    const bool recorded = std::binary_search(view.shards.begin(), view.shards.end(), id,
                                             [](const auto& a, const auto& b) { return IdOf(a) < IdOf(b); });
    if (recorded) continue;
    const std::string key = ShardLeadershipKey(id);
    SLUICE_ASSIGN_OR_RETURN(
        TxnResult txn, client_.Txn({Compare::Absent(key), fence}, {TxnOp::Put(key, EncodeShardLeadership({}))}, {}));
    if (txn.succeeded) ++changes_written_;
  }
  for (const ShardRecord& record : view.shards) {
    if (std::binary_search(view.catalogued.begin(), view.catalogued.end(), record.id)) continue;
    // Its stream is gone (deleted, or replaced by a new incarnation).
    const std::string key = ShardLeadershipKey(record.id);
    SLUICE_ASSIGN_OR_RETURN(
        TxnResult txn, client_.Txn({Compare::ModRevision(key, record.mod_revision), fence}, {TxnOp::Delete(key)}, {}));
    if (!txn.succeeded) continue;
    ++changes_written_;
    log::Info("controller: {}/{} {} removed with its stream", record.id.stream, record.id.creation_ms,
              ShardName(record.id.shard_index));
  }
  return Status::Ok();
}

Status Controller::Reconcile(const Term& term, const ClusterView::Snapshot& view) {
  SLUICE_RETURN_IF_ERROR(SyncShardRecords(term, view));
  const std::set<std::string> live = LiveIds(view);
  for (const LeadershipChange& change :
       PlanLeadership(view.shards, live, options_.replication_factor, view.decommissioned)) {
    const ShardRecord& current = view.shards[change.shard];
    const std::string key = ShardLeadershipKey(current.id);
    SLUICE_ASSIGN_OR_RETURN(TxnResult txn,
                            client_.Txn({Compare::ModRevision(key, current.mod_revision),
                                         Compare::ModRevision(std::string(kControllerKey), term.claim_revision)},
                                        {TxnOp::Put(key, EncodeShardLeadership(change.next))}, {}));
    if (!txn.succeeded) continue;  // a newer view, or no longer the controller: the next round sees which
    ++changes_written_;
    if (!change.next.leader.empty() && change.next.leader != current.leadership.leader) {
      failovers_.LeaderWritten(current.id, SteadyMillis());
    }
    if (change.next.leader != current.leadership.leader) {
      log::Info("controller: {}/{} {} is led by {} (epoch {}), was {}", current.id.stream, current.id.creation_ms,
                ShardName(current.id.shard_index), change.next.leader.empty() ? "no node" : change.next.leader,
                change.next.leader_epoch, current.leadership.leader.empty() ? "none" : current.leadership.leader);
    }
    if (current.leadership.assigned() && change.next.replicas != current.leadership.replicas) {
      log::Info("controller: {}/{} {} has replicas {} (was {}), moving them off decommissioned nodes",
                current.id.stream, current.id.creation_ms, ShardName(current.id.shard_index),
                fmt::join(change.next.replicas, ","), fmt::join(current.leadership.replicas, ","));
    }
  }
  return Status::Ok();
}

}  // namespace sluice::cluster
