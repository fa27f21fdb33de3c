// ShardLog itself: the handle that finds a log, loads its state (an Impl,
// shard_log_impl.h) on first use, answers what it can without loading it,
// and unloads it again once idle. A log that is not loaded costs this handle
// only: no descriptor, no segment, no lock of its own.
#include <algorithm>
#include <functional>
#include <mutex>

#include "storage/segment.h"
#include "storage/shard_log.h"
#include "storage/shard_log_impl.h"
#include "util/log.h"

namespace sluice::storage {
namespace {

// Loading and unloading are rare, so the handles share a few locks for
// them rather than each holding one.
std::mutex& LoadMutex(const ShardLog* log) {
  static std::mutex mutexes[64];
  return mutexes[std::hash<const void*>{}(log) % 64];
}

}  // namespace

ShardLog::ShardLog(std::string dir, const LogOptions& options, Flusher* flusher)
    : dir_(std::move(dir)), options_(options), flusher_(flusher) {}

ShardLog::~ShardLog() {
  Impl* impl = impl_.load(std::memory_order_acquire);
  if (impl == nullptr) return;
  (void)impl->Close();
  delete impl;
}

Result<std::unique_ptr<ShardLog>> ShardLog::Open(const std::string& dir, const LogOptions& options, Flusher* flusher) {
  std::unique_ptr<ShardLog> log(new ShardLog(dir, options, flusher));
  if (options.open_lazily && options.durability != Durability::kMemory) {
    // A log with segments on disk waits for its first use, and so does one
    // that makes its files with its first record (create_on_first_append):
    // either costs this handle only until then. Any other new log is created
    // now, so that its directory and first segment are durable before use.
    Result<std::vector<std::string>> names = options.env->ListDir(dir);
    uint64_t base;
    bool any = false;
    for (const std::string& name : names.ok() ? *names : std::vector<std::string>{}) {
      if (!ParseSegmentFileName(name, &base)) continue;
      log->unloaded_start_offset_ = any ? std::min(log->unloaded_start_offset_, base) : base;
      any = true;
    }
    if (any || options.create_on_first_append) return log;
  }
  auto impl = std::make_unique<Impl>(dir, options, flusher);
  SLUICE_RETURN_IF_ERROR(impl->Open());
  log->impl_.store(impl.release(), std::memory_order_release);
  return log;
}

ShardLog::Impl& ShardLog::Load() const {
  if (Impl* impl = impl_.load(std::memory_order_acquire)) return *impl;
  std::lock_guard<std::mutex> lock(LoadMutex(this));
  if (Impl* impl = impl_.load(std::memory_order_relaxed)) return *impl;
  auto impl = std::make_unique<Impl>(dir_, options_, flusher_);
  if (closed_) {
    impl->OpenClosed();
  } else {
    (void)impl->Open();  // its error is reported by every call that can fail
  }
  impl_.store(impl.get(), std::memory_order_release);
  return *impl.release();
}

bool ShardLog::IsLoaded() const { return impl_.load(std::memory_order_acquire) != nullptr; }

bool ShardLog::UnloadIfIdle(int64_t idle_ms) {
  Impl* impl = impl_.load(std::memory_order_acquire);
  if (impl == nullptr || options_.durability == Durability::kMemory) return false;
  if (!impl->IdleFor(idle_ms * 1'000'000)) return false;
  const uint64_t start = impl->StartOffset();
  const uint64_t size = impl->SizeBytes();
  // Known now, and not from index files a one-segment log may not have
  // (Close writes none for a last segment of one index entry): retention
  // must not load the log again each pass just to learn it.
  const int64_t newest_of_oldest = impl->OldestSegmentNewestArrivalMillis();
  // Everything appended is durable (IdleFor): closing only saves the index
  // files and cuts the padding, and what it fails to do recovery redoes.
  Status closed = impl->Close();
  if (!closed.ok()) log::Warn("storage: unloading the log in {}: {}", dir_, closed.ToString());
  std::lock_guard<std::mutex> lock(LoadMutex(this));
  unloaded_start_offset_ = start;
  unloaded_size_bytes_.store(static_cast<int64_t>(size), std::memory_order_relaxed);
  // Otherwise the oldest segment's newest arrival is read again from its index files.
  unloaded_newest_arrival_ms_.store(newest_of_oldest, std::memory_order_relaxed);
  impl_.store(nullptr, std::memory_order_release);
  delete impl;
  return true;
}

bool ShardLog::UnloadedMayHoldOlderThan(int64_t before_ms) const {
  if (before_ms <= unloaded_newest_arrival_ms_.load(std::memory_order_relaxed)) return false;
  // Only the oldest segment matters: retention removes segments from the
  // front and stops at the first one it keeps. A stale index (a crash after
  // more was written) still names a record of the segment, so its newest
  // arrival is a lower bound of the segment's: good enough to keep it.
  const std::string stem = SegmentStem(dir_, unloaded_start_offset_);
  Result<std::string> offsets = options_.env->ReadFile(stem + std::string(kOffsetIndexSuffix));
  Result<std::string> times = options_.env->ReadFile(stem + std::string(kTimeIndexSuffix));
  if (!offsets.ok() || !times.ok()) return true;
  SegmentSummary summary;
  if (!SegmentIndex::Decode(*offsets, *times, &summary).ok() || summary.max_arrival_ms == 0) return true;
  unloaded_newest_arrival_ms_.store(summary.max_arrival_ms, std::memory_order_relaxed);
  return before_ms > summary.max_arrival_ms;
}

Result<uint64_t> ShardLog::TrimOlderThan(int64_t before_ms) {
  // Retention passes over every shard: one that is not loaded is loaded only
  // when it may hold something to trim.
  if (!IsLoaded() && !UnloadedMayHoldOlderThan(before_ms)) {
    std::lock_guard<std::mutex> lock(LoadMutex(this));
    if (closed_) return Status::IoError("shard log is closed");
    if (!IsLoaded()) return unloaded_start_offset_;
  }
  return Load().TrimOlderThan(before_ms);
}

uint64_t ShardLog::SizeBytes() const {
  if (Impl* impl = impl_.load(std::memory_order_acquire)) return impl->SizeBytes();
  const int64_t known = unloaded_size_bytes_.load(std::memory_order_relaxed);
  if (known >= 0) return static_cast<uint64_t>(known);
  // Never loaded since the start: the segment files' sizes, listed once.
  Result<std::vector<std::string>> names = options_.env->ListDir(dir_);
  if (!names.ok()) return 0;
  uint64_t size = 0;
  uint64_t base;
  for (const std::string& name : *names) {
    if (!ParseSegmentFileName(name, &base)) continue;
    const std::string path = dir_ + "/" + name;
    Result<int> fd = options_.env->Open(path, OpenMode::kRead);
    if (!fd.ok()) continue;
    Result<uint64_t> file_size = options_.env->Size(*fd, path);
    options_.env->Close(*fd);
    if (file_size.ok()) size += *file_size;
  }
  unloaded_size_bytes_.store(static_cast<int64_t>(size), std::memory_order_relaxed);
  return size;
}

Status ShardLog::Close() {
  {
    std::lock_guard<std::mutex> lock(LoadMutex(this));
    if (impl_.load(std::memory_order_relaxed) == nullptr) {
      closed_ = true;  // closing a log that is not loaded opens nothing
      return Status::Ok();
    }
  }
  return Load().Close();
}

Status ShardLog::Destroy() {
  if (!IsLoaded() && options_.durability != Durability::kMemory) {
    SLUICE_RETURN_IF_ERROR(Close());
    return options_.env->RemoveAll(dir_);
  }
  return Load().Destroy();
}

Result<uint64_t> ShardLog::Append(std::span<const AppendEntry> entries, int64_t arrival_ms) {
  return Load().Append(entries, arrival_ms);
}
Status ShardLog::TruncateTo(uint64_t end_offset) { return Load().TruncateTo(end_offset); }
Status ShardLog::ResetTo(uint64_t offset) { return Load().ResetTo(offset); }
void ShardLog::WhenDurable(uint64_t end_offset, std::function<void(Status)> done) {
  Load().WhenDurable(end_offset, std::move(done));
}
uint64_t ShardLog::StartOffset() const { return Load().StartOffset(); }
uint64_t ShardLog::EndOffset() const { return Load().EndOffset(); }
uint64_t ShardLog::VisibleEndOffset() const { return Load().VisibleEndOffset(); }
int64_t ShardLog::LastArrivalMillis() const { return Load().LastArrivalMillis(); }
Result<ReadResult> ShardLog::Read(uint64_t from, size_t max_records, size_t max_bytes) const {
  return Load().Read(from, max_records, max_bytes);
}
Result<uint64_t> ShardLog::OffsetForTime(int64_t timestamp_ms) const { return Load().OffsetForTime(timestamp_ms); }

}  // namespace sluice::storage
