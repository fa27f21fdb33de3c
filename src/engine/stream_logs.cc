// The shard logs of one stream (engine/stream_logs.h).
#include "engine/stream_logs.h"

#include <filesystem>
#include <mutex>

#include "engine/data_layout.h"
#include "engine/engine.h"
#include "engine/pending_marks.h"
#include "storage/file_util.h"
#include "util/log.h"

namespace sluice::engine {

namespace fs = std::filesystem;

Result<std::shared_ptr<StreamState>> OpenStreamLogs(const EngineOptions& options, ShardStoreFactory& stores,
                                                    StreamMeta meta) {
  auto state = std::make_shared<StreamState>();
  const bool memory = options.durability == storage::Durability::kMemory;
  if (!memory) {
    state->dir = StreamDir(options.data_dir, meta.ref, meta.creation_ms);
    // The shards' folders are made by their first records, inside this one.
    SLUICE_RETURN_IF_ERROR(storage::file::CreateDirs(state->dir));
  }
  for (const ShardMeta& shard : meta.shards) {
    // In memory mode the directory is ignored by the log; a name helps logs.
    const std::string dir = memory ? meta.ref.name + "/" + ShardIdFor(shard.index) : ShardDir(state->dir, shard.index);
    if (!shard.open() && (memory || !fs::is_directory(dir))) {
      // A closed shard without a folder never held a record (a short-lived
      // shard of UpdateShardCount; or its records were lost, which
      // ReportMissingStreamDir has said): it stays closed and empty.
      state->shards.push_back(std::make_shared<ShardState>(nullptr));
      continue;
    }
    auto log = stores.Open(ShardKey{meta.ref, meta.creation_ms, shard.index}, dir);
    if (!log.ok()) {
      ReleaseStreamLogs(*state, /*destroy=*/false);
      return log.status();
    }
    state->shards.push_back(std::make_shared<ShardState>(std::move(log).value()));
  }
  state->meta = std::move(meta);
  state->RebuildRouter();
  return state;
}

void ReleaseStreamLogs(StreamState& stream, bool destroy) {
  for (auto& shard : stream.shards) {
    std::unique_lock life(shard->life);
    if (!shard->log) continue;
    Status s = destroy ? shard->log->Destroy() : shard->log->Close();
    if (!s.ok()) {
      log::Warn("engine: {} shard log of stream {}: {}", destroy ? "destroying" : "closing", stream.meta.ref.name,
                s.ToString());
    }
    shard->log.reset();
  }
  if (destroy && !stream.dir.empty()) {
    std::error_code ec;
    fs::remove_all(stream.dir, ec);
  }
}

Result<ChildLogs> OpenChildLogs(const EngineOptions& options, ShardStoreFactory& stores, const StreamMeta& changed,
                                const std::vector<int>& made, const std::string& stream_dir) {
  const bool memory = options.durability == storage::Durability::kMemory;
  ChildLogs out;
  auto fail = [&](Status s) -> Result<ChildLogs> {
    DiscardChildLogs(out);
    return s;
  };
  if (!memory) {
    for (int index : made) {
      if (!changed.shards[index].open()) continue;
      std::string dir = ShardDir(stream_dir, index);
      std::error_code ec;
      if (fs::exists(dir, ec) && !IsMarkedPending(dir)) {
        return fail(Status::IoError("the folder " + dir + " of new shard " + ShardIdFor(index) + " of stream " +
                                    changed.ref.name + " already exists and the server did not make it; move it away"));
      }
      // Marked: left by an attempt whose save failed, so never named by the
      // metadata and holding no acknowledged record.
      Status s = storage::file::RemoveAll(dir);
      if (s.ok()) s = MarkPending(dir, /*sync=*/false);
      if (!s.ok()) return fail(s);
      out.dirs.push_back(std::move(dir));
    }
    if (options.durability == storage::Durability::kFsync && !out.dirs.empty()) {
      Status s = storage::file::SyncDir(stream_dir);
      if (!s.ok()) return fail(s);
    }
  }
  for (int index : made) {
    if (!changed.shards[index].open()) {
      out.shards.push_back(std::make_shared<ShardState>(nullptr));
      continue;
    }
    const std::string dir = memory ? changed.ref.name + "/" + ShardIdFor(index) : ShardDir(stream_dir, index);
    auto log = stores.Open(ShardKey{changed.ref, changed.creation_ms, index}, dir);
    if (!log.ok()) return fail(log.status());
    out.shards.push_back(std::make_shared<ShardState>(std::move(log).value()));
  }
  return out;
}

void DiscardChildLogs(ChildLogs& logs) {
  for (auto& shard : logs.shards) {
    if (!shard->log) continue;
    Status s = shard->log->Destroy();
    if (!s.ok()) log::Warn("engine: destroying a new shard's log: {}", s.ToString());
    shard->log.reset();
  }
  for (const std::string& dir : logs.dirs) {
    Status s = RemoveMarked(dir, /*sync=*/false);
    if (!s.ok()) log::Warn("engine: {} (the next start removes it)", s.ToString());
  }
  logs = ChildLogs{};
}

Status SyncStreamDirParents(const EngineOptions& options, const std::string& stream_dir) {
  if (options.durability != storage::Durability::kFsync) return Status::Ok();
  // <region> (holds the stream folder's entry), <account>, streams, then the
  // data directory (holds "streams"): deepest first, so each entry is
  // durable before the one leading to it. Cheap enough to do for every new
  // stream rather than tracking which folders this call created.
  const fs::path region = fs::path(stream_dir).parent_path();
  const fs::path account = region.parent_path();
  for (const std::string& dir : {region.string(), account.string(), StreamsRoot(options.data_dir), options.data_dir}) {
    SLUICE_RETURN_IF_ERROR(storage::file::SyncDir(dir));
  }
  return Status::Ok();
}

}  // namespace sluice::engine
