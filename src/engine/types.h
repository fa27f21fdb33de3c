// Value types of the stream engine: streams, shards, records, iterators.
// Kinesis words, no wire formats: the API layer turns these into JSON/CBOR.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/hash_key.h"
#include "util/status.h"

namespace sluice::engine {

// Streams live in an (account, region) namespace.
struct StreamRef {
  std::string account;
  std::string region;
  std::string name;
};

enum class StreamStatus { kCreating, kDeleting, kActive, kUpdating };
enum class StreamMode { kProvisioned, kOnDemand };

const char* StreamStatusName(StreamStatus s);  // "CREATING", "ACTIVE", ...
const char* StreamModeName(StreamMode m);      // "PROVISIONED", "ON_DEMAND"

// How PutRecord(s) place an on-demand stream's records on its open shards
// (UpdateStreamRecordDistributionStrategy). kUserPartitionKey routes by the
// partition key's MD5 (or ExplicitHashKey); kAuto ignores both and spreads
// the records evenly, so records of one key keep no order.
enum class RecordDistribution { kUserPartitionKey, kAuto };
const char* RecordDistributionName(RecordDistribution d);  // "USER_PARTITION_KEY", "AUTO"

// A 56-digit decimal Kinesis sequence number (see engine/sequence_number.h).
using SequenceDigits = std::array<char, 56>;
inline std::string_view ToView(const SequenceDigits& d) { return {d.data(), d.size()}; }

struct HashKeyRange {
  HashKey start = 0;
  HashKey end = 0;  // inclusive
};

struct Shard {
  std::string shard_id;  // "shardId-000000000000"
  std::optional<std::string> parent_shard_id;
  std::optional<std::string> adjacent_parent_shard_id;
  HashKeyRange hash_range;
  std::string starting_sequence_number;
  std::optional<std::string> ending_sequence_number;  // set once closed
  int64_t open_ms = 0;                                // when the shard was created
  std::optional<int64_t> close_ms;                    // when it was closed
};

struct ChildShard {
  std::string shard_id;
  std::vector<std::string> parent_shards;
  HashKeyRange hash_range;
};

// WarmThroughput of an on-demand stream (MiB/s of writes).
struct WarmThroughput {
  int target_mibps = 0;
  int current_mibps = 0;
};

struct StreamDescription {
  std::string name;
  std::string arn;
  StreamStatus status = StreamStatus::kCreating;
  StreamMode mode = StreamMode::kProvisioned;
  int retention_hours = 24;
  int64_t creation_ms = 0;
  std::string encryption_type = "NONE";  // "NONE" | "KMS"
  std::optional<std::string> key_id;
  std::vector<std::string> shard_level_metrics;  // enhanced monitoring, may be empty
  std::vector<Shard> shards;                     // every shard still within retention, in shard-id order
  bool has_more_shards = false;                  // shards follow the page `shards` holds
  int open_shard_count = 0;
  int consumer_count = 0;
  int max_record_size_kib = 1024;
  std::optional<WarmThroughput> warm_throughput;          // on-demand streams only
  std::optional<RecordDistribution> record_distribution;  // on-demand streams only
};

// Bounds of a stream's retention period.
inline constexpr int64_t kMinRetentionHours = 24;
inline constexpr int64_t kMaxRetentionHours = 8760;
// Tags a stream may carry.
inline constexpr size_t kMaxTagsPerStream = 50;
// The seven shard-level metrics of enhanced monitoring, in the model's order.
inline constexpr std::array<std::string_view, 7> kShardLevelMetrics = {
    "IncomingBytes",
    "IncomingRecords",
    "OutgoingBytes",
    "OutgoingRecords",
    "WriteProvisionedThroughputExceeded",
    "ReadProvisionedThroughputExceeded",
    "IteratorAgeMilliseconds",
};
// The account's provisioned shard quota reported by DescribeLimits.
inline constexpr int kShardLimit = 20000;
inline constexpr int kOnDemandStreamCountLimit = 50;

// Largest warm throughput of an on-demand stream (10 GiB/s).
inline constexpr int kMaxWarmThroughputMiBps = 10240;

// Quotas of an (account, region) namespace; each configurable by the server.
struct AccountQuotas {
  int shard_limit = kShardLimit;                           // open shards over every stream
  int on_demand_stream_limit = kOnDemandStreamCountLimit;  // ON_DEMAND streams
  int consumers_per_stream = 20;                           // registered consumers per stream
};

// UpdateShardCount's answer.
struct ShardCountUpdate {
  int current = 0;  // open shards before the change
  int target = 0;
};

struct AccountLimits {
  int shard_limit = kShardLimit;
  int open_shard_count = 0;  // over every stream of the namespace
  int on_demand_stream_count = 0;
  int on_demand_stream_count_limit = kOnDemandStreamCountLimit;
};

struct StreamSummary {
  std::string name;
  std::string arn;
  StreamStatus status;
  StreamMode mode;
  int64_t creation_ms;
};

struct CreateStreamParams {
  std::optional<int> shard_count;  // required for PROVISIONED (validated by the API)
  StreamMode mode = StreamMode::kProvisioned;
  std::vector<std::pair<std::string, std::string>> tags;
  std::optional<int> max_record_size_kib;
  std::optional<int> warm_throughput_mibps;
  // AUTO is for ON_DEMAND streams only (InvalidArgument otherwise).
  RecordDistribution record_distribution = RecordDistribution::kUserPartitionKey;
};

// ShardFilter of ListShards.
struct ShardFilter {
  enum class Type {
    kNone,  // same as kFromTrimHorizon
    kAfterShardId,
    kAtTrimHorizon,
    kFromTrimHorizon,
    kAtLatest,
    kAtTimestamp,
    kFromTimestamp,
  };
  Type type = Type::kNone;
  std::string shard_id;      // kAfterShardId
  int64_t timestamp_ms = 0;  // kAtTimestamp, kFromTimestamp
};

// Where a page of shards starts and how long it may be: the shards with an
// index above `after_index` (-1: from the first), at most `limit` of them.
struct ShardPageRequest {
  int after_index = -1;
  size_t limit = SIZE_MAX;
};
// No shards at all: for callers that want the rest of a description.
inline constexpr ShardPageRequest kNoShards{-1, 0};

// One page of a shard listing, in shard-id order.
struct ShardPage {
  std::vector<Shard> shards;
  bool more = false;    // another shard the listing selects follows the page
  size_t examined = 0;  // shards looked at to build the page: its cost
};

// One page of ListStreams, in name order.
struct StreamPage {
  std::vector<StreamSummary> streams;
  bool more = false;  // another stream of the namespace follows the page
};

// One PutRecords entry. Views must stay valid during the PutRecords call only.
struct PutEntry {
  std::string_view partition_key;
  std::string_view data;
  std::optional<HashKey> explicit_hash_key;
};

struct PutEntryResult {
  Status status;           // per-record failure (e.g. ProvisionedThroughputExceeded)
  bool encrypted = false;  // written while the stream was encrypted (EncryptionType KMS)
  int shard_index = 0;
  SequenceDigits sequence_number{};
};

enum class IteratorType { kTrimHorizon, kLatest, kAtSequenceNumber, kAfterSequenceNumber, kAtTimestamp };

struct Record {
  SequenceDigits sequence_number;
  int64_t arrival_ms;
  std::string_view partition_key;  // views into GetRecordsResult::buffer
  std::string_view data;
  bool encrypted = false;  // arrived while the stream was encrypted (EncryptionType KMS)
};

struct GetRecordsResult {
  // Owns the bytes `records` view. The engine keeps them on the heap, so
  // moving the result keeps the views valid; copying it does not.
  std::string buffer;
  std::vector<Record> records;
  std::optional<std::string> next_shard_iterator;  // absent at the end of a closed shard
  int64_t millis_behind_latest = 0;
  std::vector<ChildShard> child_shards;  // non-empty exactly when at the end of a closed shard
};

// "shardId-000000000007"
std::string ShardIdFor(int shard_index);
// Parses "shardId-000000000007" (also the bare "7" form kinesalite accepts) to 7.
std::optional<int> ParseShardId(std::string_view shard_id);

// --- account settings (DescribeAccountSettings / UpdateAccountSettings) ---
// Status of the minimum throughput billing commitment of a namespace.
enum class CommitmentStatus {
  kDisabled,
  kEnabled,
  // Disabled before the 24 h minimum ran out: still in force until then.
  kEnabledUntilEarliestAllowedEnd,
};

// A commitment lasts at least this long once enabled.
inline constexpr int64_t kMinimumCommitmentMs = 24 * 60 * 60 * 1000;

struct MinimumThroughputCommitment {
  CommitmentStatus status = CommitmentStatus::kDisabled;
  // Epoch milliseconds; absent until a commitment was first enabled.
  std::optional<int64_t> started_ms;
  std::optional<int64_t> ended_ms;                 // set once a disable was asked for
  std::optional<int64_t> earliest_allowed_end_ms;  // started_ms + kMinimumCommitmentMs
};

// Account-level settings of one (account, region) namespace.
struct AccountSettings {
  MinimumThroughputCommitment minimum_throughput_commitment;
};

// --- stream consumers (enhanced fan-out registrations) ---
enum class ConsumerStatus { kCreating, kActive, kDeleting };

inline const char* ConsumerStatusName(ConsumerStatus s) {
  switch (s) {
    case ConsumerStatus::kCreating: return "CREATING";
    case ConsumerStatus::kActive: return "ACTIVE";
    case ConsumerStatus::kDeleting: return "DELETING";
  }
  return "ACTIVE";
}

// At most this many consumers of a stream may be CREATING at once.
inline constexpr int kMaxConsumersCreating = 5;

// Consumer / ConsumerDescription of the API.
struct ConsumerDescription {
  std::string name;
  std::string arn;  // <stream arn>/consumer/<name>:<creation epoch seconds>
  ConsumerStatus status = ConsumerStatus::kCreating;
  int64_t creation_ms = 0;
  std::string stream_arn;
};

// Which consumer a request names: a stream and a consumer name, plus the
// creation time in epoch seconds when it was named by ConsumerARN (the
// consumer found must then have been created in that second).
struct ConsumerLookup {
  StreamRef stream;
  std::string name;
  std::optional<int64_t> creation_seconds;
};

// The stream and consumer a ConsumerARN names (ResolveActiveConsumer).
struct ConsumerRef {
  StreamRef stream;
  std::string consumer_name;
  int64_t consumer_creation_ms = 0;
};

}  // namespace sluice::engine
