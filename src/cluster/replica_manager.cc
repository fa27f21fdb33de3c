#include "cluster/replica_manager.h"

#include <algorithm>
#include <iterator>
#include <vector>

#include "util/log.h"

namespace sluice::cluster {

ReplicaManager::ReplicaManager(PeerFetcher* fetcher, ReplicaManagerOptions options)
    : fetcher_(fetcher), options_(options) {}

ReplicaManager::~ReplicaManager() { Stop(); }

void ReplicaManager::ReapRetired() {
  std::vector<std::shared_ptr<FetchLoop>> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto exited = std::stable_partition(retired_.begin(), retired_.end(),
                                        [](const std::shared_ptr<FetchLoop>& loop) { return !loop->exited; });
    done.assign(std::make_move_iterator(exited), std::make_move_iterator(retired_.end()));
    retired_.erase(exited, retired_.end());
  }
  for (const std::shared_ptr<FetchLoop>& loop : done) {
    if (loop->thread.joinable()) loop->thread.join();
  }
}

void ReplicaManager::Add(std::shared_ptr<ReplicaLog> replica) {
  ReapRetired();
  std::lock_guard<std::mutex> lock(mu_);
  const ShardId shard = replica->shard();
  Entry& entry = replicas_[shard];
  if (entry.replica == replica && (entry.loop || !options_.fetch_threads)) return;
  RetireLocked(entry);
  entry = Entry{std::move(replica), 0, nullptr};
  if (options_.fetch_threads && !stopping_) {
    entry.loop = std::make_shared<FetchLoop>();
    entry.loop->replica = entry.replica;
    FetchLoop* loop = entry.loop.get();
    entry.loop->thread = std::thread([this, loop] { RunFetchLoop(*loop); });
  }
}

void ReplicaManager::Remove(const ShardId& shard) {
  ReapRetired();
  std::lock_guard<std::mutex> lock(mu_);
  auto it = replicas_.find(shard);
  if (it == replicas_.end()) return;
  RetireLocked(it->second);
  replicas_.erase(it);
}

void ReplicaManager::RetireLocked(Entry& entry) {
  if (!entry.loop) return;
  entry.loop->stop = true;
  retired_.push_back(std::move(entry.loop));
  wake_.notify_all();
}

void ReplicaManager::RunFetchLoop(FetchLoop& loop) {
  int64_t failing_since_ms = 0;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (loop.stop || stopping_) {
        loop.exited = true;
        return;
      }
      loop.durable = false;
    }
    const int64_t started = MonotonicMillis();
    Result<bool> fetched = loop.replica->IsFollowing() ? loop.replica->FetchOnce(*fetcher_) : Result<bool>(false);
    int64_t pause_ms = 0;
    bool until_durable = false;
    if (fetched.ok()) failing_since_ms = 0;
    if (!fetched.ok()) {
      if (failing_since_ms == 0) failing_since_ms = started;
      // A leader that is not (yet) the shard's leader is routine around a
      // change of leader: said only when it lasts.
      const bool routine = fetched.status().code() == ErrorCode::kNotLeader && started - failing_since_ms < 5'000;
      uint64_t suppressed = 0;
      if (!routine && log_limit_.Allow(&suppressed)) {
        log::Warn("replica of {} of stream {} could not fetch from its leader: {} ({} more such lines not logged)",
                  ShardName(loop.replica->shard().shard_index), loop.replica->shard().stream,
                  fetched.status().ToString(), suppressed);
      }
      pause_ms = options_.fetch_retry_ms;
    } else if (*fetched) {
      // Records came: ask again once they are durable here, so that the
      // fetch reports them (a second at most, should the sync never say).
      until_durable = true;
      pause_ms = 1000;
    } else if (MonotonicMillis() - started < 1) {
      // Not following (leading, or no leader), or an answer at once with
      // nothing: no busy loop.
      pause_ms = options_.fetch_idle_ms;
    }
    if (pause_ms == 0) continue;
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait_for(lock, std::chrono::milliseconds(pause_ms),
                   [&] { return loop.stop || stopping_ || (until_durable && loop.durable); });
  }
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
    // With fetch threads, the passes only check the leaders' laggards.
    if (next_lag_check_ms_ <= now_ms) {
      check_lag = true;
      next_lag_check_ms_ = now_ms + options_.lag_check_ms;
    }
  }
  bool changed = false;
  for (const std::shared_ptr<ReplicaLog>& replica : due) {
    if (check_lag) replica->CheckLaggingFollowers();
    if (options_.fetch_threads) continue;
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
  std::vector<std::shared_ptr<FetchLoop>> loops;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    loops.swap(retired_);
    for (auto& [shard, entry] : replicas_) {
      if (entry.loop) loops.push_back(entry.loop);
    }
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  // Each ends within its fetch's wait and deadline.
  for (const std::shared_ptr<FetchLoop>& loop : loops) {
    if (loop->thread.joinable()) loop->thread.join();
  }
}

void ReplicaManager::Wake(const ShardId& shard) {
  if (!options_.fetch_threads) return Wake();
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = replicas_.find(shard);
    if (it == replicas_.end() || !it->second.loop) return;
    it->second.loop->durable = true;
  }
  wake_.notify_all();
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
