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
  return FilterShardPage(stream, filter, now_ms, ShardPageRequest{}).shards;
}

ShardPage FilterShardPage(const StreamMeta& stream, const ShardFilter& filter, int64_t now_ms,
                          const ShardPageRequest& page) {
  ShardPage out;
  if (page.limit == 0) return out;
  const int64_t horizon = TrimHorizonMillis(stream, now_ms);
  const int64_t at = std::max(filter.timestamp_ms, horizon);
  const auto& shards = stream.shards;  // shards[i].index == i
  size_t first = static_cast<size_t>(std::max(page.after_index + 1, 0));
  if (filter.type == ShardFilter::Type::kAfterShardId) {
    if (const std::optional<int> after = ParseShardId(filter.shard_id)) {
      first = std::max(first, static_cast<size_t>(std::max(*after + 1, 0)));
    } else {
      // An id that does not parse is compared as a string, as the service
      // orders ids lexically; fixed-width ids sort as their indexes do.
      auto it =
          std::partition_point(shards.begin() + static_cast<ptrdiff_t>(std::min(first, shards.size())), shards.end(),
                               [&](const ShardMeta& s) { return ShardIdFor(s.index) <= filter.shard_id; });
      first = static_cast<size_t>(it - shards.begin());
    }
  }
  for (size_t i = first; i < shards.size(); ++i) {
    const ShardMeta& s = shards[i];
    ++out.examined;
    if (!ShardWithinRetention(stream, s, now_ms)) continue;
    bool keep = true;
    switch (filter.type) {
      case ShardFilter::Type::kNone:
      case ShardFilter::Type::kFromTrimHorizon:
      case ShardFilter::Type::kAfterShardId: break;
      case ShardFilter::Type::kAtTrimHorizon: keep = OpenAt(s, horizon); break;
      case ShardFilter::Type::kAtLatest: keep = s.open(); break;
      case ShardFilter::Type::kAtTimestamp: keep = OpenAt(s, at); break;
      case ShardFilter::Type::kFromTimestamp: keep = s.open() || *s.close_ms >= at; break;
    }
    if (!keep) continue;
    if (out.shards.size() == page.limit) {
      out.more = true;
      break;
    }
    out.shards.push_back(ToShard(s));
  }
  return out;
}

}  // namespace sluice::engine
