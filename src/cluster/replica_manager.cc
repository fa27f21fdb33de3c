#include "cluster/replica_manager.h"

#include <vector>

#include "util/log.h"

namespace sluice::cluster {

ReplicaManager::ReplicaManager(PeerFetcher* fetcher, ReplicaManagerOptions options)
    : fetcher_(fetcher), options_(options) {}

ReplicaManager::~ReplicaManager() { Stop(); }

void ReplicaManager::Add(std::shared_ptr<ReplicaLog> replica) {
  std::lock_guard<std::mutex> lock(mu_);
  const ShardId shard = replica->shard();
  replicas_[shard] = Entry{std::move(replica), 0};
}

void ReplicaManager::Remove(const ShardId& shard) {
  std::lock_guard<std::mutex> lock(mu_);
  replicas_.erase(shard);
}

std::shared_ptr<ReplicaLog> ReplicaManager::Find(const ShardId& shard) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = replicas_.find(shard);
  return it == replicas_.end() ? nullptr : it->second.replica;
}

FetchResponse ReplicaManager::HandleFetch(const FetchRequest& request) {
  std::shared_ptr<ReplicaLog> replica = Find(request.shard);
  if (replica) return replica->HandleFetch(request);
  FetchResponse refusal;
  refusal.error = FetchError::kUnknownShard;
  refusal.message =
      "no replica of " + ShardName(request.shard.shard_index) + " of stream " + request.shard.stream + " here";
  return refusal;
}

bool ReplicaManager::RunOnce(int64_t now_ms) {
  std::vector<std::shared_ptr<ReplicaLog>> due;
  bool check_lag = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [shard, entry] : replicas_) {
      if (entry.next_fetch_ms <= now_ms) due.push_back(entry.replica);
    }
    if (next_lag_check_ms_ <= now_ms) {
      check_lag = true;
      next_lag_check_ms_ = now_ms + options_.lag_check_ms;
    }
  }
  bool changed = false;
  for (const std::shared_ptr<ReplicaLog>& replica : due) {
    if (check_lag) replica->CheckLaggingFollowers();
    Result<bool> fetched = replica->FetchOnce(*fetcher_);
    if (fetched.ok()) {
      changed = changed || *fetched;
      continue;
    }
    if (uint64_t suppressed; log_limit_.Allow(&suppressed)) {
      log::Warn("replica of {} of stream {} could not fetch from its leader: {} ({} more such lines not logged)",
                ShardName(replica->shard().shard_index), replica->shard().stream, fetched.status().ToString(),
                suppressed);
    }
    std::lock_guard<std::mutex> lock(mu_);
    auto it = replicas_.find(replica->shard());
    if (it != replicas_.end() && it->second.replica == replica) {
      it->second.next_fetch_ms = now_ms + options_.fetch_retry_ms;
    }
  }
  return changed;
}

void ReplicaManager::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { Loop(); });
}

void ReplicaManager::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReplicaManager::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  wake_.notify_all();
}

void ReplicaManager::Loop() {
  for (;;) {
    const bool changed = RunOnce(MonotonicMillis());
    std::unique_lock<std::mutex> lock(mu_);
    if (!changed) {
      wake_.wait_for(lock, std::chrono::milliseconds(options_.fetch_idle_ms), [this] { return stopping_ || woken_; });
    }
    woken_ = false;
    if (stopping_) return;
  }
}

}  // namespace sluice::cluster
