// Changes another node made to a shared catalogue (engine/stream_catalog.h),
// applied to this node's live stream table: StreamControl::ApplyChangeLocked.
// Nothing is saved here: the catalogue already holds the change.

#include <mutex>
#include <shared_mutex>

#include "engine/data_layout.h"
#include "engine/engine.h"
#include "engine/pending_marks.h"
#include "engine/stream_control.h"
#include "engine/stream_logs.h"
#include "util/log.h"

namespace sluice::engine {

Status StreamControl::ApplyChangeLocked(const StreamChange& change) {
  std::shared_ptr<StreamState> state = streams_.Find(RefOf(change.key));
  if (state && building_.contains(change.key)) {
    // This node's own build of the stream's logs owns it until it commits.
    log::Warn("engine: stream {} changed elsewhere while its logs are built here; the change is left to the build",
              std::get<2>(change.key));
    return Status::Ok();
  }
  const bool sync = options_.durability == storage::Durability::kFsync;
  if (state && (!change.meta || state->meta.creation_ms != change.meta->creation_ms)) {
    // Deleted, or deleted and created again: this incarnation's logs go.
    if (!state->dir.empty()) SLUICE_RETURN_IF_ERROR(MarkPending(state->dir, sync));
    DropStreamLocked(change.key, state);
    state.reset();
  }
  if (!change.meta) return Status::Ok();
  const StreamMeta& meta = *change.meta;
  if (meta.transition_at_ms != 0) {
    others_transitions_[change.key] = meta.transition_at_ms;
  } else {
    others_transitions_.erase(change.key);
  }
  if (state) return UpdateFromCatalogLocked(*state, meta);

  // New here: its folder is marked until it is live, as CreateStream's is.
  const std::string dir = options_.durability == storage::Durability::kMemory
                              ? std::string()
                              : StreamDir(options_.data_dir, meta.ref, meta.creation_ms);
  if (!dir.empty()) SLUICE_RETURN_IF_ERROR(MarkPending(dir, sync));
  Result<std::shared_ptr<StreamState>> opened = OpenStreamLogs(options_, stores_, meta);
  Status made = opened.ok() ? SyncStreamDirParents(options_, dir) : opened.status();
  if (!made.ok()) {
    if (opened.ok()) ReleaseStreamLogs(**opened, /*destroy=*/true);
    if (!dir.empty()) (void)RemoveMarked(dir, /*sync=*/false);  // or the next start does
    others_transitions_.erase(change.key);
    return made;
  }
  if (!dir.empty()) {
    Status cleared = ClearPending(dir, sync);
    if (!cleared.ok()) log::Warn("engine: {} (the next start removes it)", cleared.ToString());
  }
  streams_.InsertLocked(change.key, std::move(opened).value());
  NoteLoaded(meta);
  LogStreamState(meta.ref, "", StreamStatusName(meta.status));
  if (meta.transition_at_ms != 0) kick_housekeeping_();
  return Status::Ok();
}

Status StreamControl::UpdateFromCatalogLocked(StreamState& state, const StreamMeta& meta) {
  StreamMeta before;
  {
    std::shared_lock lock(state.mu);
    before = state.meta;
  }
  if (meta.shards.size() < before.shards.size()) {
    // Shards are only ever appended, so this is an older version than the
    // one held: keep what is live.
    log::Warn("engine: stream {} from the catalogue has {} shards, fewer than the {} held here; ignored", meta.ref.name,
              meta.shards.size(), before.shards.size());
    return Status::Ok();
  }
  std::vector<int> made;
  for (size_t i = before.shards.size(); i < meta.shards.size(); ++i) made.push_back(static_cast<int>(i));
  ChildLogs logs;
  if (!made.empty()) {
    SLUICE_ASSIGN_OR_RETURN(logs, OpenChildLogs(options_, stores_, meta, made, state.dir));
  }
  InstallReshardLocked(state, before, meta, logs);
  if (meta.transition_at_ms != 0) kick_housekeeping_();
  return Status::Ok();
}

}  // namespace sluice::engine
