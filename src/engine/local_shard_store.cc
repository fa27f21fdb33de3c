#include "engine/local_shard_store.h"

namespace sluice::engine {
namespace {

// Forwards each call to the log: the engine pays one virtual call for it.
class LocalShardStore final : public ShardStore {
 public:
  explicit LocalShardStore(std::unique_ptr<storage::ShardLog> log) : log_(std::move(log)) {}

  Result<uint64_t> Append(std::span<const storage::AppendEntry> entries, int64_t arrival_ms) override {
    return log_->Append(entries, arrival_ms);
  }
  void WhenDurable(uint64_t end_offset, std::function<void(Status)> done) override {
    log_->WhenDurable(end_offset, std::move(done));
  }
  uint64_t StartOffset() const override { return log_->StartOffset(); }
  uint64_t EndOffset() const override { return log_->EndOffset(); }
  uint64_t VisibleEndOffset() const override { return log_->VisibleEndOffset(); }
  int64_t LastArrivalMillis() const override { return log_->LastArrivalMillis(); }
  Result<storage::ReadResult> Read(uint64_t from, size_t max_records, size_t max_bytes) const override {
    return log_->Read(from, max_records, max_bytes);
  }
  Result<uint64_t> OffsetForTime(int64_t timestamp_ms) const override { return log_->OffsetForTime(timestamp_ms); }
  Result<uint64_t> TrimOlderThan(int64_t before_ms) override { return log_->TrimOlderThan(before_ms); }
  Status Close() override { return log_->Close(); }
  Status Destroy() override { return log_->Destroy(); }
  uint64_t SizeBytes() const override { return log_->SizeBytes(); }
  bool UnloadIfIdle(int64_t idle_ms) override { return log_->UnloadIfIdle(idle_ms); }
  bool IsLoaded() const override { return log_->IsLoaded(); }

 private:
  std::unique_ptr<storage::ShardLog> log_;
};

}  // namespace

LocalShardStoreFactory::LocalShardStoreFactory(const storage::LogOptions& options) : options_(options) {
  // A shard's segments are recovered on its first use after a start, not by
  // the start itself: start time and memory do not grow with idle shards.
  options_.open_lazily = true;
  // A shard costs nothing on disk until its first record: creating a stream
  // of many shards makes one folder, not a folder, a file and two syncs each.
  options_.create_on_first_append = true;
  if (options_.durability == storage::Durability::kFsync) {
    flusher_ = std::make_unique<storage::Flusher>();
    flusher_->Start();
  }
}

LocalShardStoreFactory::~LocalShardStoreFactory() { Stop(); }

Result<std::unique_ptr<storage::ShardLog>> LocalShardStoreFactory::OpenLog(const std::string& dir) {
  return storage::ShardLog::Open(dir, options_, flusher_.get());
}

Result<std::unique_ptr<ShardStore>> LocalShardStoreFactory::Open(const ShardKey& /*shard*/, const std::string& dir) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<storage::ShardLog> log, OpenLog(dir));
  return std::unique_ptr<ShardStore>(std::make_unique<LocalShardStore>(std::move(log)));
}

void LocalShardStoreFactory::Stop() {
  if (flusher_) flusher_->Stop();  // completes pending syncs
}

void LocalShardStoreFactory::AddMetrics(StorageMetrics* out) const {
  if (!flusher_) return;
  out->fsync_latency_us = flusher_->SyncMicros();
  out->group_commit_batch = flusher_->BatchSizes();
}

}  // namespace sluice::engine
