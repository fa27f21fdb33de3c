// The hash key space: even division at creation and routing of a key to the
// open shard whose range holds it.
#pragma once

#include <cstdint>
#include <vector>

#include "engine/types.h"

namespace sluice::engine {

// `count` ranges tiling [0, 2^128 - 1]: with w = floor(2^128 / count), range i
// is [i*w, (i+1)*w - 1] and the last ends at 2^128 - 1 (the service's split).
// Requires count >= 1.
std::vector<HashKeyRange> EvenHashRanges(int count);

// Routes keys over a set of open shards whose ranges tile the key space.
// Immutable once built; safe to share between threads.
class ShardRouter {
 public:
  struct Entry {
    HashKeyRange range;
    int shard_index;
  };

  ShardRouter() = default;
  // `open_shards` in any order; they must not overlap.
  explicit ShardRouter(std::vector<Entry> open_shards);

  // The shard index whose range contains `key` (binary search), or -1 when
  // no open shard covers it (never the case for a well-formed stream).
  int Route(HashKey key) const;
  // The open shard at position n modulo their number, in hash key order: the
  // round robin of the AUTO record distribution. -1 when there is none.
  int Nth(uint64_t n) const { return entries_.empty() ? -1 : entries_[n % entries_.size()].shard_index; }

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }  // the open shards

 private:
  std::vector<Entry> entries_;  // sorted by range.start
};

}  // namespace sluice::engine
