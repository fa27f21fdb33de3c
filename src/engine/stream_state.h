// The live state of one stream inside the engine: its metadata, its shard
// logs and its router. Internal to the engine.
//
// Locking (outer to inner): Engine's table lock, StreamState::mu,
// ShardState::life, then the log's own append lock. Data-plane calls hold
// `mu` shared (so shards are not closed under an append) and `life` shared;
// control-plane changes take `mu` exclusively; closing or destroying a log
// takes `life` exclusively, so no read or append is in flight on it.
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "engine/hash_ranges.h"
#include "engine/stream_meta.h"
#include "storage/shard_log.h"

namespace sluice::engine {

struct ShardState {
  explicit ShardState(std::unique_ptr<storage::ShardLog> l) : log(std::move(l)) {}
  std::shared_mutex life;
  std::unique_ptr<storage::ShardLog> log;  // null once closed or destroyed
};

struct StreamState {
  mutable std::shared_mutex mu;
  StreamMeta meta;                                  // guarded by mu
  std::string dir;                                  // empty in memory mode
  std::vector<std::shared_ptr<ShardState>> shards;  // index-aligned with meta.shards
  ShardRouter router;                               // over the open shards; guarded by mu

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
