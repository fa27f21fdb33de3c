// ShardBatch: the records read from one shard and not yet delivered, and
// the rules that cut them into objects (docs/channels.md, "Batches"):
//   - an object holds the longest run of records from the oldest whose data
//     adds up to at most max_bytes (at least one record);
//   - a batch is due when DataFreshnessInSeconds has passed since its first
//     record arrived (ApproximateArrivalTimestamp), when it holds more than
//     one object's worth, or at the end of a closed shard (the caller's call).
// The cut depends only on the records, so a batch rebuilt from the
// checkpoint ends where the lost one did or later, under the same key.
//
// Threading: none; one delivery thread owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace sluice::channels {

// The service's largest S3 buffer (Firehose's, 128 MiB) is too much to hold
// per shard in memory; Sluice cuts objects at 64 MiB of record data.
inline constexpr size_t kDefaultMaxObjectBytes = 64u << 20;

struct BatchRecord {
  std::string sequence_number;
  int64_t arrival_ms = 0;
  std::string partition_key;
  std::string data;
};

class ShardBatch {
 public:
  explicit ShardBatch(size_t max_bytes) : max_bytes_(max_bytes) {}

  void Add(BatchRecord record);
  bool empty() const { return records_.empty(); }
  size_t size() const { return records_.size(); }
  size_t bytes() const { return bytes_; }
  const std::deque<BatchRecord>& records() const { return records_; }

  // Holds at least one whole object: read no more until it is delivered.
  bool Full() const { return bytes_ >= max_bytes_; }
  // How many of the oldest records the next object holds (0 when empty).
  size_t NextCut() const;
  // The first record arrived at least `freshness_ms` before `now_ms`, or
  // the batch holds more than the next object.
  bool Due(int64_t now_ms, int64_t freshness_ms) const;
  // Forgets the `n` oldest records (delivered).
  void Drop(size_t n);

 private:
  const size_t max_bytes_;
  std::deque<BatchRecord> records_;
  size_t bytes_ = 0;
};

}  // namespace sluice::channels
