// The durable description of a stream and its shards: what the engine
// persists in its metadata document and reloads on Open. Plain values; the
// live state (logs, locks, router) is in engine/stream_state.h.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/types.h"

namespace sluice::engine {

struct ShardMeta {
  int index = 0;  // shard id number; also the position in StreamMeta::shards
  std::optional<int> parent;
  std::optional<int> adjacent_parent;
  HashKeyRange range;
  // The creation-time field of the shard's sequence numbers: max(now, every
  // parent's + 1), so a child's numbers exceed its parents'.
  int64_t created_seconds = 0;
  int64_t open_ms = 0;
  std::optional<int64_t> close_ms;

  bool open() const { return !close_ms.has_value(); }
};

// A reshard request. Persisted with the stream while it waits in UPDATING.
struct ReshardOp {
  enum class Kind : uint8_t { kNone = 0, kSplit = 1, kMerge = 2, kScale = 3 };
  Kind kind = Kind::kNone;
  int shard = -1;     // kSplit: ShardToSplit; kMerge: ShardToMerge
  int adjacent = -1;  // kMerge: AdjacentShardToMerge
  HashKey key = 0;    // kSplit: NewStartingHashKey
  int target = 0;     // kScale: TargetShardCount

  bool empty() const { return kind == Kind::kNone; }
};

// A registered consumer of a stream (RegisterStreamConsumer).
struct ConsumerMeta {
  std::string name;
  int64_t creation_ms = 0;  // its ARN carries creation_ms / 1000
  ConsumerStatus status = ConsumerStatus::kCreating;
  // When CREATING / DELETING ends (clock ms); 0 when ACTIVE.
  int64_t transition_at_ms = 0;
  std::vector<std::pair<std::string, std::string>> tags;  // sorted by key
};

struct StreamMeta {
  StreamRef ref;
  StreamStatus status = StreamStatus::kCreating;
  StreamMode mode = StreamMode::kProvisioned;
  int retention_hours = 24;
  int64_t creation_ms = 0;
  // When the current CREATING / UPDATING / DELETING state ends (clock ms);
  // 0 when the stream is settled (ACTIVE).
  int64_t transition_at_ms = 0;
  std::string encryption_type = "NONE";
  std::optional<std::string> key_id;
  // When encryption_type last became "KMS" (clock ms); records arriving at or
  // after it report EncryptionType KMS. Unset while "NONE".
  std::optional<int64_t> encrypted_since_ms;
  std::vector<std::string> shard_level_metrics;
  int max_record_size_kib = 1024;
  std::vector<std::pair<std::string, std::string>> tags;  // sorted by key
  std::vector<ShardMeta> shards;                          // shards[i].index == i
  // UpdateStreamWarmThroughput / CreateStream / UpdateStreamMode target
  // (on-demand streams); unset when never asked for.
  std::optional<int> warm_throughput_mibps;
  // A reshard waiting for the UPDATING period to end; applied then.
  ReshardOp pending;
  // Registered consumers, in registration order.
  std::vector<ConsumerMeta> consumers;
  // Always kUserPartitionKey while PROVISIONED.
  RecordDistribution record_distribution = RecordDistribution::kUserPartitionKey;

  int64_t retention_ms() const { return int64_t{retention_hours} * 3600 * 1000; }
};

// The Kinesis view of a shard: ids, range and sequence-number range.
Shard ToShard(const ShardMeta& shard);

// Shards of the stream still open (taking writes).
int OpenShardCount(const StreamMeta& stream);

// The write capacity an on-demand stream is warmed to (MiB/s): its warm
// throughput once settled (not while UPDATING towards it), and never less
// than 1 MiB/s per open shard.
int CurrentWarmThroughputMiBps(const StreamMeta& stream);
// The same, given the stream's open shard count (OpenShardCount).
int CurrentWarmThroughputMiBps(const StreamMeta& stream, int open_shards);

// The created_seconds of a shard made at `now_ms` from `parents` (one for a
// split, two for a merge): max(now, every parent's created_seconds + 1), so
// the child's sequence numbers exceed all of its parents'.
int64_t ChildCreatedSeconds(int64_t now_ms, std::initializer_list<const ShardMeta*> parents);

}  // namespace sluice::engine
