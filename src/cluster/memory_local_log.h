// MemoryLocalLog: a LocalLog (local_log.h) held in memory, whose records
// become durable only when Sync() says so, so tests of the replication logic
// decide exactly when each replica's disk has caught up (or at once, for
// tests that let threads run). Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "cluster/local_log.h"

namespace sluice::cluster {

class MemoryLocalLog final : public LocalLog {
 public:
  // `durable_on_append`: every append is durable when it returns.
  explicit MemoryLocalLog(bool durable_on_append = false) : durable_on_append_(durable_on_append) {}

  // Makes every record appended so far durable and completes the waits it
  // satisfies (on the caller's thread).
  void Sync();
  // A new log holding what a power loss would leave of this one: the durable
  // records only.
  std::unique_ptr<MemoryLocalLog> DurableCopy() const;

  Result<uint64_t> Append(std::span<const storage::AppendEntry> entries, int64_t arrival_ms) override;
  void WhenDurable(uint64_t end_offset, std::function<void(Status)> done) override;
  uint64_t StartOffset() const override;
  uint64_t EndOffset() const override;
  uint64_t DurableEnd() const override;
  int64_t LastArrivalMillis() const override;
  Result<storage::ReadResult> Read(uint64_t from, size_t max_records, size_t max_bytes) const override;
  Result<uint64_t> OffsetForTime(int64_t timestamp_ms) const override;
  Result<uint64_t> TrimOlderThan(int64_t before_ms) override;
  Status TruncateTo(uint64_t end_offset) override;
  Status ResetTo(uint64_t offset) override;
  Status Close() override;
  Status Destroy() override;
  uint64_t SizeBytes() const override;

 private:
  struct Record {
    int64_t arrival_ms;
    std::string partition_key;
    std::string data;
  };
  using Waits = std::multimap<uint64_t, std::function<void(Status)>>;
  // Removes the waits satisfied by durable_ (or all, if `all`) into the result.
  Waits TakeWaitsLocked(bool all);

  mutable std::mutex mu_;
  uint64_t start_ = 0;           // offset of records_[0]
  std::vector<Record> records_;  // start_ .. EndOffset()
  uint64_t durable_ = 0;
  Waits waits_;  // by end offset
  bool closed_ = false;
  const bool durable_on_append_;
};

}  // namespace sluice::cluster
