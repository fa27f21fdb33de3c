// Which shards a listing shows: retention and ListShards' ShardFilter types
// evaluated over shard open/close times. Pure functions over StreamMeta.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/stream_meta.h"

namespace sluice::engine {

// The stream's trim horizon as a time: max(now - retention, creation).
int64_t TrimHorizonMillis(const StreamMeta& stream, int64_t now_ms);

// True when the shard is open, or closed no earlier than the trim horizon.
bool ShardWithinRetention(const StreamMeta& stream, const ShardMeta& shard, int64_t now_ms);

// The shards `filter` selects, in shard-id order:
//   kNone, kFromTrimHorizon  every shard within retention
//   kAfterShardId            those with an id after filter.shard_id
//   kAtTrimHorizon           those open at the trim horizon
//   kAtLatest                those open now
//   kAtTimestamp             those open at max(timestamp, trim horizon)
//   kFromTimestamp           open ones plus those closed at/after max(timestamp, trim horizon)
std::vector<Shard> FilterShards(const StreamMeta& stream, const ShardFilter& filter, int64_t now_ms);

// One page of FilterShards: the selected shards with an index above
// `page.after_index` (and above an AFTER_SHARD_ID filter's id), at most
// `page.limit`. Shards are stored by index, so the page starts where it
// begins (no scan of the shards before it) and costs its own shards plus the
// closed ones it skips (outside retention or not selected), and one more
// shard to tell whether more follow. A limit of 0 looks at nothing.
ShardPage FilterShardPage(const StreamMeta& stream, const ShardFilter& filter, int64_t now_ms,
                          const ShardPageRequest& page);

}  // namespace sluice::engine
