// The stream transitions of the housekeeping pass (StreamControl::SettleLocked):
// CREATING and UPDATING streams become ACTIVE when their time is up, a
// pending reshard is applied, and DELETING streams are removed.
#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "engine/engine.h"
#include "engine/stream_control.h"
#include "util/log.h"

namespace sluice::engine {

bool StreamControl::AllShardsLed(const StreamMeta& m) const {
  if (!options_.placement) return true;
  for (const ShardMeta& shard : m.shards) {
    if (!shard.open()) continue;
    const PlacementAnswer leader = options_.placement->Leader(ShardKey{m.ref, m.creation_ms, shard.index});
    if (!leader.this_node && leader.leader_address.empty()) return false;
  }
  return true;
}

void StreamControl::SettleLocked(int64_t now, int64_t* next_due) {
  std::vector<StreamMeta> snapshot = streams_.SnapshotLocked();
  // CREATING / UPDATING that are due, with the state each leaves
  std::vector<std::pair<StreamKey, StreamStatus>> settle;
  std::vector<StreamKey> remove;   // DELETING that are due
  std::vector<StreamKey> reshard;  // UPDATING with a pending reshard that is due
  for (StreamMeta& m : snapshot) {
    if (m.transition_at_ms == 0 || building_.contains(KeyOf(m.ref))) continue;  // the worker settles those
    // A transition another node started (shared catalogue) is that node's
    // to finish; this one does only once it is overdue (the node died).
    const auto other = others_transitions_.find(KeyOf(m.ref));
    const int64_t due = other != others_transitions_.end() && other->second == m.transition_at_ms
                            ? m.transition_at_ms + kTransitionTakeoverMs
                            : m.transition_at_ms;
    if (due > now) {
      *next_due = std::min(*next_due, due);
      continue;
    }
    if (m.status == StreamStatus::kDeleting) {
      remove.push_back(KeyOf(m.ref));
    } else if (m.status == StreamStatus::kUpdating && !m.pending.empty()) {
      reshard.push_back(KeyOf(m.ref));
    } else if (options_.active_once_led && !AllShardsLed(m)) {  // CREATING, or UPDATING after a reshard
      *next_due = std::min(*next_due, now + kLeaderPollMs);     // the controller is assigning them
    } else {
      settle.emplace_back(KeyOf(m.ref), m.status);
      m.status = StreamStatus::kActive;
      m.transition_at_ms = 0;
    }
  }
  if (!settle.empty()) {
    std::vector<const StreamMeta*> changed;
    for (const StreamMeta& m : snapshot) {
      if (std::any_of(settle.begin(), settle.end(), [&](const auto& s) { return s.first == KeyOf(m.ref); })) {
        changed.push_back(&m);
      }
    }
    Status saved = streams_.SaveStreamsLocked(changed);
    if (saved.ok()) {
      for (const auto& [key, left] : settle) {
        std::shared_ptr<StreamState> state = streams_.Find(RefOf(key));
        if (!state) continue;
        std::unique_lock lock(state->mu);
        state->meta.status = StreamStatus::kActive;
        state->meta.transition_at_ms = 0;
        LogStreamState(state->meta.ref, StreamStatusName(left), StreamStatusName(StreamStatus::kActive));
      }
    } else {
      log::Error("engine: saving metadata for state transitions: {}", saved.ToString());
      *next_due = std::min(*next_due, now + 1000);  // retry soon, not in a tight loop
    }
  }
  for (const StreamKey& key : reshard) {
    // One at a time, each from a fresh snapshot (the previous one saved).
    std::vector<StreamMeta> current = streams_.SnapshotLocked();
    auto it = std::find_if(current.begin(), current.end(), [&](const StreamMeta& m) { return KeyOf(m.ref) == key; });
    if (it == current.end() || it->pending.empty()) continue;
    const ReshardOp op = it->pending;
    if (ReshardsInBackground(op)) {
      StartReshardLocked(key, op);
      continue;
    }
    Status s = ApplyReshardLocked(current, *it, op);
    if (s.ok()) continue;
    if (s.code() == ErrorCode::kIoError) {
      log::Error("engine: resharding stream {}: {} (retrying)", std::get<2>(key), s.ToString());
      *next_due = std::min(*next_due, now + 1000);
      continue;
    }
    // The request was checked when it arrived and nothing may change a
    // stream while it is UPDATING, so this is not expected; drop the
    // reshard rather than retry it forever, and settle the stream.
    (void)DropPendingReshardLocked(key, s);
  }
  for (const StreamKey& key : remove) {
    Status s = RemoveStreamLocked(key);
    if (!s.ok()) {
      log::Error("engine: removing deleted stream {}: {}", std::get<2>(key), s.ToString());
      *next_due = std::min(*next_due, now + 1000);
    }
  }
}

}  // namespace sluice::engine
