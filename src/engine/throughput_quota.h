// Throughput quotas: the service's per-shard and per-stream limits, emulated
// with token buckets when the server is asked to (`--limits real`; off by
// default, and then they cost one branch per call).
//
// Provisioned streams: each shard takes 1 MiB/s and 1,000 records/s of
// writes, serves 5 GetRecords calls/s and 2 MiB/s of reads to all its polling
// readers together, and 5 GetShardIterator calls/s. Each bucket holds one
// second of its rate: the short burst the service allows. A GetRecords
// answer larger than what the read bucket holds costs its whole size in
// time: after a 10 MiB answer the shard's readers are refused for 5 s.
//
// On-demand streams: writes and read bytes are counted per stream, starting
// at the service's initial capacity (4 MiB/s and 4,000 records/s of writes,
// 8 MiB/s of reads) and scaling to twice the highest write rate the stream
// has sustained for a whole second, once that peak is older than
// `on_demand_scale_delay_ms` (the service scales within about 15 minutes).
// Read calls and GetShardIterator calls stay per shard.
//
// UpdateShardCount: at most 10 scalings per stream in any 24 hours (counted
// since the server started; engine/stream_updates.cc).
//
// Enhanced fan-out: a subscription is paced at 2 MiB/s (per consumer and
// shard), and a consumer may call SubscribeToShard once per second per shard
// (engine/subscriptions.cc).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "util/token_bucket.h"

namespace sluice::engine {

// Per-second figures; 0 means unlimited.
struct QuotaFigures {
  double write_bytes = 0;
  double write_records = 0;
  double read_calls = 0;
  double read_bytes = 0;
  double iterator_calls = 0;
};

struct ThroughputLimits {
  QuotaFigures shard;           // every shard of a provisioned stream
  QuotaFigures on_demand;       // an on-demand stream's initial capacity (writes, read bytes)
  double fanout_bytes = 0;      // per consumer and shard, pushed
  double subscribe_calls = 0;   // SubscribeToShard calls per consumer and shard
  double scalings_per_day = 0;  // UpdateShardCount calls per stream in a rolling 24 hours
  int64_t on_demand_scale_delay_ms = 15 * 60 * 1000;

  // Whether any limit is set (when none is, the engine skips every check).
  bool Any() const;
  // The service's figures.
  static ThroughputLimits Real();
  // Sets the figure `name` (the names of Names(), e.g. "shard-write-records")
  // from `value`. InvalidArgument for an unknown name or a negative value.
  Status Set(std::string_view name, double value);
  // Every settable name, in a stable order, with its value.
  std::vector<std::pair<std::string, double>> Figures() const;
};

// One shard's (or one on-demand stream's) buckets. Thread-safe.
class ThroughputQuota {
 public:
  // Of the records of `sizes` (data plus partition key), how many from the
  // first fit the write quota; their tokens are taken. With
  // `scale_on_demand`, the figures grow with the sustained peak (see above).
  size_t AdmitWrites(const QuotaFigures& figures, const size_t* sizes, size_t count, int64_t now_ms,
                     bool scale_on_demand = false, int64_t scale_delay_ms = 0);
  // Whether a GetRecords call may read now (takes a call token).
  bool AdmitReadCall(const QuotaFigures& figures, int64_t now_ms);
  // Whether the read-bytes bucket is not in debt (on-demand streams check
  // their stream's bytes this way, their shard's calls with AdmitReadCall).
  bool ReadBytesAvailable(const QuotaFigures& figures, int64_t now_ms);
  // Charges `bytes` read by an admitted call.
  void ChargeRead(const QuotaFigures& figures, size_t bytes, int64_t now_ms);
  // Whether a GetShardIterator call may go ahead (takes a token).
  bool AdmitIteratorCall(const QuotaFigures& figures, int64_t now_ms);

  // The write figures in force now (grown by on-demand scaling), for tests
  // and the record of the scaling.
  QuotaFigures Current(const QuotaFigures& figures) const;

 private:
  void InitLocked(const QuotaFigures& figures, int64_t now_ms);
  void ScaleLocked(const QuotaFigures& figures, int64_t now_ms, int64_t delay_ms);

  mutable std::mutex mu_;
  bool init_ = false;
  double scale_ = 1.0;  // on-demand capacity as a multiple of the initial figures
  TokenBucket write_bytes_, write_records_, read_calls_, read_bytes_, iterator_calls_;
  int64_t read_blocked_until_ms_ = 0;
  // On-demand scaling: accepted writes of the current one-second window, and
  // the peaks seen (each as a multiple of the initial figures), oldest first.
  int64_t window_start_ms_ = 0;
  double window_bytes_ = 0, window_records_ = 0;
  struct Peak {
    int64_t at_ms;
    double multiple;
  };
  std::vector<Peak> peaks_;
};

// "Rate exceeded for shard <id> in stream <name> under account <acct>."
std::string ShardRateExceededMessage(std::string_view account, std::string_view stream, std::string_view shard_id);

}  // namespace sluice::engine
