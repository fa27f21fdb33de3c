#include "engine/stream_meta.h"

#include <algorithm>

#include "engine/sequence_number.h"

namespace sluice::engine {

Shard ToShard(const ShardMeta& m) {
  Shard s;
  s.shard_id = ShardIdFor(m.index);
  if (m.parent) s.parent_shard_id = ShardIdFor(*m.parent);
  if (m.adjacent_parent) s.adjacent_parent_shard_id = ShardIdFor(*m.adjacent_parent);
  s.hash_range = m.range;
  const auto index = static_cast<uint32_t>(m.index);
  s.starting_sequence_number = std::string(ToView(StartingSequenceNumber(m.created_seconds, index)));
  if (m.close_ms) {
    s.ending_sequence_number = std::string(ToView(EndingSequenceNumber(m.created_seconds, index, *m.close_ms / 1000)));
  }
  s.open_ms = m.open_ms;
  s.close_ms = m.close_ms;
  return s;
}

int OpenShardCount(const StreamMeta& stream) {
  int open = 0;
  for (const ShardMeta& s : stream.shards) open += s.open() ? 1 : 0;
  return open;
}

int CurrentWarmThroughputMiBps(const StreamMeta& stream) {
  return CurrentWarmThroughputMiBps(stream, OpenShardCount(stream));
}

int CurrentWarmThroughputMiBps(const StreamMeta& stream, int open) {
  if (stream.warm_throughput_mibps && stream.status != StreamStatus::kUpdating) {
    return std::max(open, *stream.warm_throughput_mibps);
  }
  return open;
}

int64_t ChildCreatedSeconds(int64_t now_ms, std::initializer_list<const ShardMeta*> parents) {
  int64_t seconds = now_ms / 1000;
  for (const ShardMeta* p : parents) {
    if (p && p->created_seconds + 1 > seconds) seconds = p->created_seconds + 1;
  }
  return seconds;
}

}  // namespace sluice::engine
