// The housekeeping pass: finishes due state transitions and trims logs.
#include <algorithm>
#include <limits>

#include "engine/engine_impl.h"
#include "util/log.h"

namespace sluice::engine {

int64_t Engine::Impl::RunHousekeeping() {
  std::lock_guard pass(hk_pass_mu_);
  const int64_t now = Now();
  int64_t next_due = std::numeric_limits<int64_t>::max();

  {
    std::lock_guard control(control_mu_);
    // Streams: CREATING/UPDATING -> ACTIVE, pending reshards, DELETING -> gone
    // (stream_control.h).
    control_->SettleLocked(now, &next_due);
    // Consumers: CREATING -> ACTIVE and DELETING -> gone (consumer_registry.h).
    consumers_->SettleLocked(now, &next_due);
  }

  if (now >= next_retention_ms_) {
    next_retention_ms_ = now + std::max<int64_t>(options_.retention_check_interval_ms, 1);
    std::vector<std::shared_ptr<StreamState>> streams;
    {
      std::shared_lock table(table_mu_);
      for (const auto& [key, state] : streams_) streams.push_back(state);
    }
    for (const auto& state : streams) {
      std::vector<std::shared_ptr<ShardState>> shards;
      int64_t cutoff;
      {
        std::shared_lock lock(state->mu);
        shards = state->shards;
        cutoff = now - state->meta.retention_ms();
      }
      for (const auto& shard : shards) {
        std::shared_lock life(shard->life);
        if (!shard->log) continue;
        Result<uint64_t> trimmed = shard->log->TrimOlderThan(cutoff);
        if (!trimmed.ok()) {
          log::Warn("engine: trimming a shard of {}: {}", state->meta.ref.name, trimmed.status().ToString());
        }
      }
    }
  }
  return std::min(next_due, next_retention_ms_);
}

}  // namespace sluice::engine
