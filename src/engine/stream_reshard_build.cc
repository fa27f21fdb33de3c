// Reshards applied on the control-plane worker (StreamControl::BuildReshard):
// one that opens options.background_min_shards logs or more would otherwise
// hold the control lock, and its caller's event loop, for as long as the
// opens take.
//
// The stream waits in UPDATING with the reshard saved as pending, so a
// crash meanwhile applies it at the next start. The worker opens the
// children's logs without the control lock (their folders are the stream's
// new ones, which nothing else touches, and DeleteStream is refused while
// building_ names the stream); the parents keep taking writes. It then takes
// the control lock, plans the reshard again on the stream as it is now (the
// parents close at the swap, not when the build began), and commits it as a
// reshard under the lock does.
#include <algorithm>
#include <mutex>
#include <shared_mutex>

#include "engine/engine.h"
#include "engine/resharding.h"
#include "engine/stream_control.h"
#include "util/log.h"

namespace sluice::engine {

bool StreamControl::ReshardsInBackground(const ReshardOp& op) const {
  // The logs it opens: two for a split, one for a merge, at most the target
  // for UpdateShardCount.
  const int logs = op.kind == ReshardOp::Kind::kSplit ? 2 : op.kind == ReshardOp::Kind::kMerge ? 1 : op.target;
  return logs >= options_.background_min_shards;
}

void StreamControl::StartReshardLocked(const StreamKey& key, const ReshardOp& op) {
  // Stopping: it stays pending, saved, and the next start applies it.
  if (worker_.TrySubmit([this, key, op] { BuildReshard(key, op); })) building_.insert(key);
}

void StreamControl::BuildReshard(const StreamKey& key, const ReshardOp& op) {
  const int64_t started = Now();
  std::shared_ptr<StreamState> state = streams_.Find(RefOf(key));
  Result<PlannedReshard> plan = Status::NotFound(StreamNotFoundMessage(RefOf(key)));
  if (state) {
    std::shared_lock lock(state->mu);
    plan = PlanReshard(state->meta, op);
  }
  Result<ChildLogs> logs = plan.status();
  if (plan.ok()) logs = OpenChildLogs(options_, stores_, plan->changed, plan->made, state->dir);

  std::lock_guard control(streams_.control_mu());
  building_.erase(key);
  Status s = logs.status();
  if (s.ok()) {
    std::vector<StreamMeta> snapshot = streams_.SnapshotLocked();
    auto target =
        std::find_if(snapshot.begin(), snapshot.end(), [&](const StreamMeta& m) { return KeyOf(m.ref) == key; });
    Result<PlannedReshard> now =
        target == snapshot.end() ? Result<PlannedReshard>(plan.status()) : PlanReshard(*target, op);
    s = now.status();
    // Nothing changes a stream's shards while it is UPDATING.
    if (s.ok() && now->made != plan->made) {
      s = Status::Internal("the shards of stream " + std::get<2>(key) + " changed while its reshard was built");
    }
    if (s.ok()) s = CommitReshardLocked(*state, *target, now->changed, *logs);
    if (s.ok()) {
      log::Info("engine: resharded stream {} (account {}, region {}) to {} open shards on the worker in {} ms",
                std::get<2>(key), std::get<0>(key), std::get<1>(key), OpenShardCount(now->changed), Now() - started);
      return;
    }
  }
  const bool dropped = DropPendingReshardLocked(key, s);
  if (!logs.ok()) return;  // OpenChildLogs left nothing behind
  if (dropped) {
    DiscardChildLogs(*logs);  // no document names them now
    return;
  }
  for (auto& shard : logs->shards) {  // the document on disk decides at the next start
    if (shard->log) (void)shard->log->Close();
    shard->log.reset();
  }
}

bool StreamControl::DropPendingReshardLocked(const StreamKey& key, const Status& cause) {
  const StreamRef ref = RefOf(key);
  log::Error("engine: resharding stream {} (account {}, region {}) failed, it keeps its shards: {}", ref.name,
             ref.account, ref.region, cause.ToString());
  std::shared_ptr<StreamState> state = streams_.Find(ref);
  if (!state) return true;
  StreamMeta m;
  {
    std::shared_lock lock(state->mu);
    m = state->meta;
  }
  const StreamStatus was = m.status;
  m.pending = ReshardOp{};
  m.status = StreamStatus::kActive;
  m.transition_at_ms = 0;
  Status saved = streams_.SaveStreamLocked(m);
  if (!saved.ok()) {
    log::Error("engine: saving stream {} without its failed reshard: {} (the next start tries the reshard again)",
               ref.name, saved.ToString());
  }
  {
    std::unique_lock lock(state->mu);
    state->meta.pending = ReshardOp{};
    state->meta.status = StreamStatus::kActive;
    state->meta.transition_at_ms = 0;
  }
  NoteUsage(m);
  if (was != StreamStatus::kActive) LogStreamState(ref, StreamStatusName(was), StreamStatusName(StreamStatus::kActive));
  return saved.ok();
}

}  // namespace sluice::engine
