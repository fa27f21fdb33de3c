// Housekeeping (engine/housekeeping.h): the thread, and the pass that
// settles due transitions and trims logs past retention.
#include "engine/housekeeping.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <shared_mutex>

#include "engine/engine.h"
#include "util/log.h"

namespace sluice::engine {

Housekeeping::Housekeeping(const EngineOptions& options, const Clock& clock, StreamRegistry& streams,
                           StreamControl& control, ConsumerRegistry& consumers)
    : options_(options), clock_(clock), streams_(streams), control_(control), consumers_(consumers) {}

Housekeeping::~Housekeeping() { (void)Stop(); }

void Housekeeping::Start() {
  std::lock_guard lock(mu_);
  if (stopped_ || thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lk(mu_);
    while (!stop_) {
      lk.unlock();
      const int64_t next_due = RunPass();
      lk.lock();
      if (stop_) break;
      const int64_t wait_ms = std::clamp<int64_t>(next_due - clock_.NowMillis(), 1,
                                                  std::max<int64_t>(options_.retention_check_interval_ms, 1));
      cv_.wait_for(lk, std::chrono::milliseconds(wait_ms), [this] { return stop_ || kicked_; });
      kicked_ = false;
    }
  });
}

bool Housekeeping::Stop() {
  std::thread thread;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return false;
    stopped_ = true;
    stop_ = true;
    stopping_.store(true, std::memory_order_relaxed);
    cv_.notify_all();
    thread = std::move(thread_);
  }
  if (thread.joinable()) thread.join();
  return true;
}

void Housekeeping::Kick() {
  std::lock_guard lock(mu_);
  kicked_ = true;
  cv_.notify_all();
}

int64_t Housekeeping::RunPass() {
  std::lock_guard pass(pass_mu_);
  const int64_t now = clock_.NowMillis();
  int64_t next_due = std::numeric_limits<int64_t>::max();
  {
    std::lock_guard control(streams_.control_mu());
    // Streams: CREATING/UPDATING -> ACTIVE, pending reshards, DELETING -> gone
    // (stream_control.h).
    control_.SettleLocked(now, &next_due);
    // Consumers: CREATING -> ACTIVE and DELETING -> gone (consumer_registry.h).
    consumers_.SettleLocked(now, &next_due);
  }
  if (now >= next_retention_ms_) {
    next_retention_ms_ = now + std::max<int64_t>(options_.retention_check_interval_ms, 1);
    WalkShards(now);
  }
  return std::min(next_due, next_retention_ms_);
}

void Housekeeping::WalkShards(int64_t now) {
  for (const auto& state : streams_.Streams()) {
    std::vector<std::shared_ptr<ShardState>> shards;
    int64_t cutoff;
    {
      std::shared_lock lock(state->mu);
      shards = state->shards;
      cutoff = now - state->meta.retention_ms();
    }
    for (const auto& shard : shards) {
      if (stopping_.load(std::memory_order_relaxed)) return;
      {
        std::shared_lock life(shard->life);
        if (!shard->log) continue;
        Result<uint64_t> trimmed = shard->log->TrimOlderThan(cutoff);
        if (!trimmed.ok()) {
          log::Warn("engine: trimming a shard of {}: {}", state->meta.ref.name, trimmed.status().ToString());
        }
      }
      if (options_.shard_idle_unload_ms > 0) UnloadIfIdle(*shard);
    }
  }
}

void Housekeeping::UnloadIfIdle(ShardState& shard) {
  // Exclusive, so that no append or read is in flight while the log closes;
  // a shard in use now is simply left for the next pass.
  std::unique_lock life(shard.life, std::try_to_lock);
  if (!life.owns_lock() || !shard.log || !shard.waiters.empty()) return;
  if (shard.log->UnloadIfIdle(options_.shard_idle_unload_ms)) unloads_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace sluice::engine
