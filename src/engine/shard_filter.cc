#include "engine/shard_filter.h"

#include <algorithm>
#include <optional>

namespace sluice::engine {
namespace {

bool OpenAt(const ShardMeta& s, int64_t t) { return s.open_ms <= t && (!s.close_ms || *s.close_ms > t); }

}  // namespace

int64_t TrimHorizonMillis(const StreamMeta& stream, int64_t now_ms) {
  return std::max(now_ms - stream.retention_ms(), stream.creation_ms);
}

bool ShardWithinRetention(const StreamMeta& stream, const ShardMeta& shard, int64_t now_ms) {
  return !shard.close_ms || *shard.close_ms >= TrimHorizonMillis(stream, now_ms);
}

std::vector<Shard> FilterShards(const StreamMeta& stream, const ShardFilter& filter, int64_t now_ms) {
  const int64_t horizon = TrimHorizonMillis(stream, now_ms);
  const int64_t at = std::max(filter.timestamp_ms, horizon);
  const std::optional<int> after =
      filter.type == ShardFilter::Type::kAfterShardId ? ParseShardId(filter.shard_id) : std::nullopt;
  std::vector<Shard> out;
  for (const ShardMeta& s : stream.shards) {
    if (!ShardWithinRetention(stream, s, now_ms)) continue;
    bool keep = true;
    switch (filter.type) {
      case ShardFilter::Type::kNone:
      case ShardFilter::Type::kFromTrimHorizon: break;
      case ShardFilter::Type::kAfterShardId:
        // An id that does not parse is compared as a string, as the
        // service orders ids lexically.
        keep = after ? s.index > *after : ShardIdFor(s.index) > filter.shard_id;
        break;
      case ShardFilter::Type::kAtTrimHorizon: keep = OpenAt(s, horizon); break;
      case ShardFilter::Type::kAtLatest: keep = s.open(); break;
      case ShardFilter::Type::kAtTimestamp: keep = OpenAt(s, at); break;
      case ShardFilter::Type::kFromTimestamp: keep = s.open() || *s.close_ms >= at; break;
    }
    if (keep) out.push_back(ToShard(s));
  }
  return out;
}

}  // namespace sluice::engine
