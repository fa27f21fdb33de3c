// The messages replicas exchange (docs/cluster-protocol.md has their bytes):
// followers pull a shard's records from its leader, Kafka style. These are
// plain values; the codec (peer_codec.h) turns them into bytes and back, and
// the replication logic (replica_log.h) produces and consumes them, so each
// can be tested without the other.
//
// One Fetch does three things at once:
// - it asks for records from `fetch_offset` (the follower's log end);
// - it reports `fetch_offset` as what the follower holds and `durable_end`
//   as what of it is on its disk, which is how the leader learns that a
//   follower is in sync and how far it may move the high watermark;
// - with `last_fetched_epoch` it lets the leader check that the follower's
//   log agrees with its own (else the answer names where they diverge and
//   the follower truncates there before fetching again).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cluster/shard_leadership.h"

namespace sluice::cluster {

// Peer protocol version carried in every message; a node answers a version
// it does not speak with kUnsupportedVersion.
inline constexpr uint16_t kPeerProtocolVersion = 1;

struct FetchRequest {
  ShardId shard;
  std::string follower;       // node id of the asking replica
  int64_t leader_epoch = 0;   // the epoch the follower believes leads the shard
  uint64_t fetch_offset = 0;  // the follower's log end: the first offset it wants
  uint64_t durable_end = 0;   // the follower has every offset below this on its disk (<= fetch_offset)
  // The leader epoch of the follower's record at fetch_offset - 1; 0 when it
  // holds no record before fetch_offset (an empty log, or one reset to start
  // there): the leader then checks nothing but that its log reaches that far.
  int64_t last_fetched_epoch = 0;
  uint32_t max_bytes = 1 << 20;  // of keys and data in the answer (at least one record if any)
  uint32_t max_wait_ms = 0;      // long poll: wait up to this for records past fetch_offset
};

enum class FetchError : uint16_t {
  kNone = 0,
  kNotLeader = 1,     // this node does not lead the shard (leader_epoch: the epoch it knows)
  kStaleEpoch = 2,    // the request's leader_epoch is older than the leader's: refresh leadership
  kUnknownEpoch = 3,  // the request's leader_epoch is newer than this node knows: retry later
  kUnknownShard = 4,  // no such shard here
  // fetch_offset below the leader's log start (the follower starts its log
  // over, empty, at log_start_offset), or past its end with
  // last_fetched_epoch 0 (an error: the follower keeps its log). The answer
  // carries the leader's log_start_offset and log_end_offset.
  kOffsetOutOfRange = 5,
  kNotReplica = 6,  // the follower is not among the shard's replicas
  kUnsupportedVersion = 7,
  kStorage = 8,  // the leader could not read its log (message says why)
};

struct FetchedRecord {
  uint64_t offset = 0;
  int64_t arrival_ms = 0;
  int64_t leader_epoch = 0;  // the epoch of the leader that appended it
  std::string partition_key;
  std::string data;
};

struct FetchResponse {
  FetchError error = FetchError::kNone;
  std::string message;          // for errors, human-readable
  int64_t leader_epoch = 0;     // the answering leader's epoch
  uint64_t high_watermark = 0;  // committed end: readers may see offsets below it
  uint64_t log_start_offset = 0;
  uint64_t log_end_offset = 0;
  // Set when the follower's log diverges from the leader's at its end: the
  // follower truncates to this offset (its records at and past it were never
  // committed) and fetches again. No records come with it.
  std::optional<uint64_t> diverging_end;
  std::vector<FetchedRecord> records;  // contiguous from fetch_offset
};

// PutToShard: the records of one shard of a PutRecords that another node
// took, sent to the shard's leader, which appends them as PutRecords would
// (quotas, durability) and answers one result per record, in order
// (engine/remote_shards.h). The node that took the call merges the results
// into its answer.
struct PutToShardRecord {
  std::string partition_key;
  std::string data;
};

struct PutToShardRequest {
  ShardId shard;
  std::vector<PutToShardRecord> records;
};

// Errors of a whole PutToShard or of one record: the few a put can meet.
enum class PutError : uint16_t {
  kNone = 0,
  kInternalFailure = 1,     // retryable: the leader could not write (or the record's write failed)
  kThroughputExceeded = 2,  // per record: the shard's write quota (ProvisionedThroughputExceededException)
  kNotLeader = 3,           // the whole call: this node does not lead the shard
  kResourceNotFound = 4,    // the whole call: no such stream incarnation or shard here
  kInvalidArgument = 5,     // the whole call: a record too large, the shard closed
  kKmsThrottling = 6,       // per record, as the service answers for an encrypted stream
  kUnsupportedVersion = 7,
};

struct PutToShardResult {
  PutError error = PutError::kNone;
  std::string message;          // for errors
  std::string sequence_number;  // 56 decimal digits, when written
  bool encrypted = false;       // written while the stream was encrypted
};

struct PutToShardResponse {
  PutError error = PutError::kNone;  // for the whole call (then no results)
  std::string message;
  std::vector<PutToShardResult> results;  // one per record, in order
};

}  // namespace sluice::cluster
