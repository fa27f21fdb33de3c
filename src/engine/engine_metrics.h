// Plain counters of the engine's activity, for the metrics endpoint (which
// renders them; the engine knows no exposition format).
//
// Per shard, the counters live in the shard's state (ShardCounters, built
// the first time the shard is counted, so an idle shard costs a pointer) and
// are bumped with relaxed atomic additions on the data path: no lock, no
// allocation after the first, a few nanoseconds per call (not per record). Engine::Metrics()
// copies them into a snapshot: every stream's totals, and the shards'
// own counters only where the caller asks for them (ShardDetail), so that a
// scrape of many idle shards stays small.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/types.h"
#include "util/atomic_histogram.h"

namespace sluice::engine {

// The live counters of one shard. Fields written by producers and by readers
// sit on separate cache lines, so the two sides do not slow each other down.
struct ShardCounters {
  // Records and data bytes of successful puts (counted once durable):
  // CloudWatch's IncomingRecords and IncomingBytes.
  alignas(64) std::atomic<uint64_t> incoming_records{0};
  std::atomic<uint64_t> incoming_bytes{0};
  // Records refused for the shard's write throughput (WriteProvisioned-
  // ThroughputExceeded), bumped by the quota checks (`--limits`) for each
  // put entry refused.
  std::atomic<uint64_t> write_throughput_exceeded{0};

  // Records and data bytes returned by GetRecords (GetRecords.Records,
  // GetRecords.Bytes), its latency in microseconds (GetRecords.Latency) and
  // the MillisBehindLatest of the last call (IteratorAgeMilliseconds).
  alignas(64) std::atomic<uint64_t> get_records_records{0};
  std::atomic<uint64_t> get_records_bytes{0};
  std::atomic<int64_t> iterator_age_ms{0};
  // GetRecords calls refused for the shard's read throughput (ReadProvisioned-
  // ThroughputExceeded); bumped by the quota checks (`--limits`).
  std::atomic<uint64_t> read_throughput_exceeded{0};
  // SubscribeToShard events sent and the records they carried.
  std::atomic<uint64_t> subscribe_events{0};
  std::atomic<uint64_t> subscribe_records{0};
  AtomicHistogram get_records_latency_us{AtomicHistogram::LatencyMicrosBounds()};
};

struct ShardMetrics {
  std::string shard_id;
  bool open = true;
  uint64_t incoming_records = 0;
  uint64_t incoming_bytes = 0;
  uint64_t write_throughput_exceeded = 0;
  uint64_t get_records_records = 0;
  uint64_t get_records_bytes = 0;
  int64_t iterator_age_ms = 0;
  uint64_t read_throughput_exceeded = 0;
  uint64_t subscribe_events = 0;
  uint64_t subscribe_records = 0;
  HistogramSnapshot get_records_latency_us;
};

// Which shards Engine::Metrics copies the counters of.
enum class ShardDetail {
  kAll,       // every shard of every stream
  kEnhanced,  // the shards of streams with enhanced monitoring (ShardLevelMetrics) only
  kNone,      // none: the streams' totals only
};

struct StreamMetrics {
  StreamRef ref;
  StreamStatus status = StreamStatus::kActive;
  StreamMode mode = StreamMode::kProvisioned;
  int retention_hours = 24;
  uint64_t bytes_on_disk = 0;  // batches in the shards' segments (in memory for kMemory)
  // Enhanced monitoring: the shard-level metrics the stream reports
  // (kShardLevelMetrics' names), empty when disabled.
  std::vector<std::string> shard_level_metrics;
  int open_shards = 0;
  int closed_shards = 0;  // still listed
  // Every shard's counters added up (shard_id empty): the iterator age is the
  // largest, the latency histograms are merged.
  ShardMetrics totals;
  // Every shard the stream still lists, in index order, as ShardDetail asks
  // (empty otherwise).
  std::vector<ShardMetrics> shards;
};

// Storage-side counters of the whole process.
struct StorageMetrics {
  HistogramSnapshot fsync_latency_us;    // one sample per fdatasync of a group commit
  HistogramSnapshot group_commit_batch;  // requests completed per group-commit round
  // Actions recovery took when the logs were opened, by kind (see
  // storage::RecoveryStats).
  uint64_t truncated_tails = 0;
  uint64_t rebuilt_indexes = 0;
  uint64_t damaged_batches = 0;
  uint64_t offset_gaps = 0;
  // Shards whose folder was missing when the metadata was loaded.
  uint64_t missing_shard_dirs = 0;
  // Shard logs loaded now (the others cost a small handle each), and the
  // idle ones unloaded since the start (EngineOptions::shard_idle_unload_ms).
  uint64_t loaded_shard_logs = 0;
  uint64_t shard_log_unloads = 0;
};

// One SubscribeToShard subscription streaming now: how far its consumer is
// behind on its shard.
struct SubscriptionMetrics {
  StreamRef stream;
  std::string consumer_arn;
  std::string shard_id;
  int64_t started_ms = 0;
  int64_t millis_behind_latest = 0;  // of the last event sent (0 before the first)
  int64_t last_event_ms = 0;         // when the last event went out; 0: none yet
  uint64_t records_sent = 0;
};

struct EngineMetrics {
  std::vector<StreamMetrics> streams;  // every stream of every namespace, sorted by (account, region, name)
  int64_t active_subscriptions = 0;
  // The active subscriptions, sorted by (stream, consumer ARN, shard id).
  std::vector<SubscriptionMetrics> subscriptions;
  StorageMetrics storage;
};

}  // namespace sluice::engine
