#include "engine/hash_ranges.h"

#include <algorithm>

namespace sluice::engine {

std::vector<HashKeyRange> EvenHashRanges(int count) {
  std::vector<HashKeyRange> ranges;
  if (count < 1) return ranges;
  ranges.reserve(count);
  // floor(2^128 / n) without a 129-bit type: (2^128 - 1) / n, plus one when n
  // divides 2^128 exactly (n a power of two), since then (2^128-1)/n is w-1.
  const HashKey n = static_cast<HashKey>(count);
  HashKey width = kMaxHashKey / n;
  if ((count & (count - 1)) == 0) width += 1;
  for (int i = 0; i < count; ++i) {
    HashKeyRange r;
    r.start = width * static_cast<HashKey>(i);
    r.end = (i == count - 1) ? kMaxHashKey : width * static_cast<HashKey>(i + 1) - 1;
    ranges.push_back(r);
  }
  return ranges;
}

ShardRouter::ShardRouter(std::vector<Entry> open_shards) : entries_(std::move(open_shards)) {
  std::sort(entries_.begin(), entries_.end(),
            [](const Entry& a, const Entry& b) { return a.range.start < b.range.start; });
}

int ShardRouter::Route(HashKey key) const {
  // First entry whose start is > key; the one before it is the candidate.
  auto it = std::upper_bound(entries_.begin(), entries_.end(), key,
                             [](HashKey k, const Entry& e) { return k < e.range.start; });
  if (it == entries_.begin()) return -1;
  --it;
  return key <= it->range.end ? it->shard_index : -1;
}

}  // namespace sluice::engine
