// Resharding as pure changes of a stream's metadata: SplitShard, MergeShards
// and UpdateShardCount (UNIFORM_SCALING). The engine checks a request with
// CheckReshard when it arrives and applies it with ApplyReshard when the
// stream's UPDATING period ends (at once when that period is 0); nothing
// here touches logs or locks.
//
// Lineage rules kept by every change: a parent closes (close_ms set) and
// never reopens; a split makes two children with ParentShardId = parent; a
// merge makes one child with ParentShardId = ShardToMerge and
// AdjacentParentShardId = AdjacentShardToMerge; children take the next free
// shard indexes; the open shards tile [0, 2^128 - 1] exactly once.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/stream_meta.h"
#include "util/status.h"

namespace sluice::engine {

// Shards one stream may reach through UpdateShardCount.
inline constexpr int kMaxShardsPerStream = 10000;

// The stream's open shards, ordered by StartingHashKey.
std::vector<const ShardMeta*> OpenShardsByStart(const StreamMeta& stream);

// Checks `op` against the stream as the service does when the request
// arrives, with its messages:
//   ResourceNotFound  "Could not find shard <id> in stream <s> under account <a>."
//   InvalidArgument   a closed shard ("... has already been merged or split,
//                     and thus is not eligible for merging or splitting."),
//                     NewStartingHashKey not strictly inside the shard (above
//                     start + 1, below end), shards that are not adjacent
//   LimitExceeded     UpdateShardCount beyond twice or below half the open
//                     shard count, or beyond kMaxShardsPerStream
// Stream state, mode and account quotas are the engine's checks.
Status CheckReshard(const StreamMeta& stream, const ReshardOp& op);

// Applies a checked `op` at `now_ms`: closes the parents and appends the
// children (for kScale, the splits and merges that lead to `target` evenly
// divided shards, short-lived shards included). Returns the indexes of the
// shards it appended. Fails, changing nothing, when CheckReshard would.
Result<std::vector<int>> ApplyReshard(StreamMeta& stream, const ReshardOp& op, int64_t now_ms);

// The open-shard count `op` leaves behind (for quota checks): +1 for a
// split, -1 for a merge, the target for a scale.
int OpenShardCountAfter(const StreamMeta& stream, const ReshardOp& op);

// Whether the open shards tile [0, 2^128 - 1] exactly once.
bool OpenShardsCoverKeySpace(const StreamMeta& stream);

}  // namespace sluice::engine
