// What the coordinator asks the engine about a group's stream: its shards
// and their lineage, whether a sequence number is one of a shard's records,
// and how far a checkpoint is behind the shard's newest record. Read
// through Engine::control() and Engine::records(); nothing here is stored.
//
// Threading: thread-safe (the engine's calls are).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/engine.h"
#include "groups/group_types.h"
#include "util/status.h"

namespace sluice::groups {

struct ShardInfo {
  std::string shard_id;
  std::vector<std::string> parents;  // parent and adjacent parent, when present
  bool closed = false;
  int64_t open_ms = 0;  // the shard's creation
  // The creation second its sequence numbers carry: a child made within a
  // second of its parent's creation carries a later one (engine/stream_meta.h).
  int64_t created_seconds = 0;
};

struct StreamShards {
  std::string arn;
  int64_t creation_ms = 0;
  engine::StreamStatus status = engine::StreamStatus::kActive;
  std::vector<ShardInfo> shards;  // every shard within retention, in shard-id order
};

struct ShardLag {
  int64_t records_behind = 0;
  int64_t millis_behind_latest = 0;
};

class EngineShards {
 public:
  explicit EngineShards(engine::Engine& engine, const Clock& clock) : engine_(engine), clock_(clock) {}

  // The stream and its shards. ResourceNotFound for an unknown stream (the
  // engine's message); the shards are empty while it is CREATING.
  Result<StreamShards> Describe(const engine::StreamRef& stream) const;

  // OK when `sequence_number` is a record of the shard that was written;
  // with `shard_end`, it must also be the last record of the closed shard
  // (or absent, for a closed shard without records). InvalidArgument with
  // the reason otherwise; ResourceNotFound for an unknown shard. In a
  // cluster, for a shard another node leads (the engine answers NotLeader),
  // only the form is checked: of this shard, a record's counter.
  Status CheckCheckpoint(const engine::StreamRef& stream, const ShardInfo& shard,
                         const std::optional<std::string>& sequence_number, bool shard_end) const;

  // Records after `checkpoint` (the shard's records from its start when
  // absent, none for a LATEST group) and how long ago the newest of them
  // arrived.
  ShardLag Lag(const engine::StreamRef& stream, std::string_view shard_id, const Checkpoint* checkpoint,
               InitialPosition initial) const;

 private:
  // The newest record's sequence number counter and arrival; nullopt when
  // the shard has none within retention.
  struct Newest {
    uint64_t counter = 0;
    std::string sequence_number;
    int64_t arrival_ms = 0;
  };
  Result<std::optional<Newest>> NewestRecord(const engine::StreamRef& stream, std::string_view shard_id) const;

  engine::Engine& engine_;
  const Clock& clock_;
};

}  // namespace sluice::groups
