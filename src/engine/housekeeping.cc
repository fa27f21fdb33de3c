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
    std::vector<StreamMeta> snapshot = SnapshotLocked();
    // CREATING / UPDATING that are due, with the state each leaves
    std::vector<std::pair<StreamKey, StreamStatus>> settle;
    std::vector<StreamKey> remove;   // DELETING that are due
    std::vector<StreamKey> reshard;  // UPDATING with a pending reshard that is due
    for (StreamMeta& m : snapshot) {
      if (m.transition_at_ms == 0) continue;
      if (m.transition_at_ms > now) {
        next_due = std::min(next_due, m.transition_at_ms);
        continue;
      }
      if (m.status == StreamStatus::kDeleting) {
        remove.push_back(KeyOf(m.ref));
      } else if (m.status == StreamStatus::kUpdating && !m.pending.empty()) {
        reshard.push_back(KeyOf(m.ref));
      } else {
        settle.emplace_back(KeyOf(m.ref), m.status);
        m.status = StreamStatus::kActive;
        m.transition_at_ms = 0;
      }
    }
    if (!settle.empty()) {
      Status saved = SaveLocked(snapshot);
      if (saved.ok()) {
        for (const auto& [key, left] : settle) {
          std::shared_ptr<StreamState> state;
          {
            std::shared_lock table(table_mu_);
            auto it = streams_.find(key);
            if (it != streams_.end()) state = it->second;
          }
          if (!state) continue;
          std::unique_lock lock(state->mu);
          state->meta.status = StreamStatus::kActive;
          state->meta.transition_at_ms = 0;
          LogStreamState(state->meta.ref, StreamStatusName(left), StreamStatusName(StreamStatus::kActive));
        }
      } else {
        log::Error("engine: saving metadata for state transitions: {}", saved.ToString());
        next_due = std::min(next_due, now + 1000);  // retry soon, not in a tight loop
      }
    }
    for (const StreamKey& key : reshard) {
      // One at a time, each from a fresh snapshot (the previous one saved).
      std::vector<StreamMeta> current = SnapshotLocked();
      auto it = std::find_if(current.begin(), current.end(), [&](const StreamMeta& m) { return KeyOf(m.ref) == key; });
      if (it == current.end() || it->pending.empty()) continue;
      const ReshardOp op = it->pending;
      Status s = ApplyReshardLocked(current, *it, op);
      if (s.ok()) continue;
      if (s.code() == ErrorCode::kIoError) {
        log::Error("engine: resharding stream {}: {} (retrying)", std::get<2>(key), s.ToString());
        next_due = std::min(next_due, now + 1000);
        continue;
      }
      // The request was checked when it arrived and nothing may change a
      // stream while it is UPDATING, so this is not expected; drop the
      // reshard rather than retry it forever, and settle the stream.
      log::Error("engine: dropping the pending reshard of stream {}: {}", std::get<2>(key), s.ToString());
      it->pending = ReshardOp{};
      it->status = StreamStatus::kActive;
      it->transition_at_ms = 0;
      if (SaveLocked(current).ok()) {
        std::shared_ptr<StreamState> state;
        {
          std::shared_lock table(table_mu_);
          auto found = streams_.find(key);
          if (found != streams_.end()) state = found->second;
        }
        if (state) {
          std::unique_lock lock(state->mu);
          state->meta.pending = ReshardOp{};
          state->meta.status = StreamStatus::kActive;
          state->meta.transition_at_ms = 0;
        }
      }
    }
    for (const StreamKey& key : remove) {
      Status s = RemoveStreamLocked(key);
      if (!s.ok()) {
        log::Error("engine: removing deleted stream {}: {}", std::get<2>(key), s.ToString());
        next_due = std::min(next_due, now + 1000);
      }
    }
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
