// The live state of one stream inside the engine: its metadata, its shard
// logs and its router. Internal to the engine.
//
// Locking (outer to inner): Engine's table lock, StreamState::mu,
// ShardState::life, then the log's own append lock. Data-plane calls hold
// `mu` shared (so shards are not closed under an append) and `life` shared;
// control-plane changes take `mu` exclusively; closing or destroying a log
// takes `life` exclusively, so no read or append is in flight on it.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "engine/engine_metrics.h"
#include "engine/hash_ranges.h"
#include "engine/stream_meta.h"
#include "engine/throughput_quota.h"
#include "engine/shard_store.h"
#include "util/on_first_use.h"

namespace sluice::engine {

// Something woken when a shard's visible records change: new records became
// durable, or the shard closed (engine/subscriptions.h). OnShardChanged runs
// on the appending or syncing thread, so it only schedules work.
class ShardWaiter {
 public:
  virtual ~ShardWaiter() = default;
  virtual void OnShardChanged() = 0;
};

// The waiters of one shard. Cheap when empty: Notify is one atomic load,
// which is all PutRecords pays when nobody subscribes, and a shard never
// subscribed to holds no list (two words).
class ShardWaiters {
 public:
  void Add(std::weak_ptr<ShardWaiter> waiter) {
    List& list = list_.Get();
    std::lock_guard lock(list.mu);
    std::erase_if(list.waiters, [](const std::weak_ptr<ShardWaiter>& w) { return w.expired(); });
    list.waiters.push_back(std::move(waiter));
    count_.store(list.waiters.size(), std::memory_order_release);
  }
  void Remove(const ShardWaiter* waiter) {
    if (list_.Peek() == nullptr) return;
    List& list = list_.Get();
    std::lock_guard lock(list.mu);
    std::erase_if(list.waiters, [waiter](const std::weak_ptr<ShardWaiter>& w) {
      auto p = w.lock();
      return !p || p.get() == waiter;
    });
    count_.store(list.waiters.size(), std::memory_order_release);
  }
  // Whether no subscription waits on the shard.
  bool empty() const { return count_.load(std::memory_order_acquire) == 0; }
  void Notify() {
    if (count_.load(std::memory_order_acquire) == 0) return;
    List& list = list_.Get();
    std::vector<std::shared_ptr<ShardWaiter>> live;
    {
      std::lock_guard lock(list.mu);
      for (const auto& w : list.waiters) {
        if (auto p = w.lock()) live.push_back(std::move(p));
      }
    }
    for (const auto& w : live) w->OnShardChanged();
  }

 private:
  struct List {
    std::mutex mu;
    std::vector<std::weak_ptr<ShardWaiter>> waiters;  // guarded by mu
  };
  OnFirstUse<List> list_;  // built by the first Add
  std::atomic<size_t> count_{0};
};

struct ShardState {
  explicit ShardState(std::unique_ptr<ShardStore> l) : log(std::move(l)) {}
  std::shared_mutex life;
  std::unique_ptr<ShardStore> log;  // null once closed or destroyed
  ShardWaiters waiters;             // SubscribeToShard subscriptions
  // Built on first use, so an idle shard costs two pointers for them: the
  // buckets are consulted only when limits are set, the counters only once
  // the shard is written, read or subscribed to.
  OnFirstUse<ThroughputQuota> quota;
  OnFirstUse<ShardCounters> counters;  // activity, for Engine::Metrics()
};

struct StreamState {
  mutable std::shared_mutex mu;
  StreamMeta meta;                                  // guarded by mu
  std::string dir;                                  // empty in memory mode
  std::vector<std::shared_ptr<ShardState>> shards;  // index-aligned with meta.shards
  ShardRouter router;                               // over the open shards; guarded by mu
  ThroughputQuota on_demand_quota;                  // the stream's capacity while ON_DEMAND
  std::atomic<uint64_t> next_auto_record{0};        // AUTO distribution's round robin over router
  std::deque<int64_t> scalings_ms;                  // UpdateShardCount times, last 24 h; guarded by control_mu_

  // Rebuilds `router` from meta.shards. Caller holds mu exclusively (or owns
  // the state alone).
  void RebuildRouter() {
    std::vector<ShardRouter::Entry> open;
    for (const ShardMeta& s : meta.shards) {
      if (s.open()) open.push_back({s.range, s.index});
    }
    router = ShardRouter(std::move(open));
  }
};

}  // namespace sluice::engine
