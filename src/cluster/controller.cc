#include "cluster/controller.h"

#include <chrono>
#include <set>

#include "cluster/leadership_plan.h"
#include "util/log.h"

namespace sluice::cluster {

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
    if (!election_->is_controller()) continue;
    if (Status s = Reconcile(election_->term()); !s.ok()) log::Warn("controller: {}", s.ToString());
  }
}

Status Controller::Reconcile(const Term& term) {
  const ClusterView::Snapshot view = view_.snapshot();
  std::set<std::string> live;
  for (const auto& [id, node] : view.live_nodes) live.insert(id);
  for (const LeadershipChange& change : PlanLeadership(view.shards, live, options_.replication_factor)) {
    const ShardRecord& current = view.shards[change.shard];
    const std::string key = ShardLeadershipKey(current.id);
    SLUICE_ASSIGN_OR_RETURN(TxnResult txn,
                            client_.Txn({Compare::ModRevision(key, current.mod_revision),
                                         Compare::ModRevision(std::string(kControllerKey), term.claim_revision)},
                                        {TxnOp::Put(key, EncodeShardLeadership(change.next))}, {}));
    if (!txn.succeeded) continue;  // a newer view, or no longer the controller: the next round sees which
    ++changes_written_;
    if (change.next.leader != current.leadership.leader) {
      log::Info("controller: {}/{} {} is led by {} (epoch {}), was {}", current.id.stream, current.id.creation_ms,
                ShardName(current.id.shard_index), change.next.leader.empty() ? "no node" : change.next.leader,
                change.next.leader_epoch, current.leadership.leader.empty() ? "none" : current.leadership.leader);
    }
  }
  return Status::Ok();
}

}  // namespace sluice::cluster
