// The shard logs of one stream (engine/stream_logs.h).
#include "engine/stream_logs.h"

#include <filesystem>
#include <mutex>

#include "engine/data_layout.h"
#include "engine/engine.h"
#include "storage/file_util.h"
#include "util/log.h"

namespace sluice::engine {

namespace fs = std::filesystem;

Result<std::shared_ptr<StreamState>> OpenStreamLogs(const EngineOptions& options, ShardStoreFactory& stores,
                                                    StreamMeta meta) {
  auto state = std::make_shared<StreamState>();
  const bool memory = options.durability == storage::Durability::kMemory;
  if (!memory) state->dir = StreamDir(options.data_dir, meta.ref, meta.creation_ms);
  for (const ShardMeta& shard : meta.shards) {
    // In memory mode the directory is ignored by the log; a name helps logs.
    const std::string dir = memory ? meta.ref.name + "/" + ShardIdFor(shard.index) : ShardDir(state->dir, shard.index);
    if (!shard.open() && (memory || !fs::is_directory(dir))) {
      // A closed shard without a folder never held a record (a short-lived
      // shard of UpdateShardCount; or its records were lost, which
      // ReportMissingShardDirs has said): it stays closed and empty.
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
