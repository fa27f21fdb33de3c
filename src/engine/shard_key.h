// ShardKey: names one shard of one incarnation of a stream, for the length
// of a call: the unit shard stores (engine/shard_store.h) open and placement
// (engine/placement.h) answers for. It refers to the caller's StreamRef
// rather than copying it, so asking costs no allocation on the data path;
// keep what outlives the call as a copy.
#pragma once

#include <cstdint>

#include "engine/types.h"

namespace sluice::engine {

struct ShardKey {
  const StreamRef& stream;
  int64_t stream_creation_ms;  // a recreated stream's shards are other shards
  int shard_index;
};

}  // namespace sluice::engine
