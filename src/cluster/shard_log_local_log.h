// ShardLogLocalLog: the LocalLog (local_log.h) a node keeps a shard replica
// in, over the shard's segmented storage::ShardLog, whose VisibleEndOffset()
// (durable in kFsync, written in kOs) is the replica's DurableEnd(). Each
// call forwards to the log; TruncateTo() and ResetTo() are ShardLog's, durable
// across a crash. `on_durable`, when given, runs after every durability wait
// the log completes (on its thread; it must be quick): the leader's long
// poll learns there that followers have new records to fetch.
#pragma once

#include <memory>

#include "cluster/local_log.h"
#include "storage/shard_log.h"

namespace sluice::cluster {

class ShardLogLocalLog final : public LocalLog {
 public:
  explicit ShardLogLocalLog(std::unique_ptr<storage::ShardLog> log, std::function<void()> on_durable = nullptr)
      : log_(std::move(log)), on_durable_(std::move(on_durable)) {}

  Result<uint64_t> Append(std::span<const storage::AppendEntry> entries, int64_t arrival_ms) override {
    return log_->Append(entries, arrival_ms);
  }
  void WhenDurable(uint64_t end_offset, std::function<void(Status)> done) override {
    if (!on_durable_) return log_->WhenDurable(end_offset, std::move(done));
    log_->WhenDurable(end_offset, [done = std::move(done), on_durable = on_durable_](Status s) {
      const bool ok = s.ok();
      done(std::move(s));
      if (ok) on_durable();
    });
  }
  uint64_t StartOffset() const override { return log_->StartOffset(); }
  uint64_t EndOffset() const override { return log_->EndOffset(); }
  uint64_t DurableEnd() const override { return log_->VisibleEndOffset(); }
  int64_t LastArrivalMillis() const override { return log_->LastArrivalMillis(); }
  Result<storage::ReadResult> Read(uint64_t from, size_t max_records, size_t max_bytes) const override {
    return log_->Read(from, max_records, max_bytes);
  }
  Result<uint64_t> OffsetForTime(int64_t timestamp_ms) const override { return log_->OffsetForTime(timestamp_ms); }
  Result<uint64_t> TrimOlderThan(int64_t before_ms) override { return log_->TrimOlderThan(before_ms); }
  Status TruncateTo(uint64_t end_offset) override { return log_->TruncateTo(end_offset); }
  Status ResetTo(uint64_t offset) override { return log_->ResetTo(offset); }
  Status Close() override { return log_->Close(); }
  Status Destroy() override { return log_->Destroy(); }
  uint64_t SizeBytes() const override { return log_->SizeBytes(); }

 private:
  const std::unique_ptr<storage::ShardLog> log_;
  const std::function<void()> on_durable_;
};

}  // namespace sluice::cluster
