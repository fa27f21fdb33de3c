// ShardLog: append, read, durability and retention. Recovery (Open) lives in
// shard_log_recovery.cc.
#include "storage/shard_log.h"

#include <algorithm>

#include "storage/batch.h"
#include "storage/io_failure_log.h"
#include "storage/segment_reader.h"
#include "storage/shard_log_impl.h"
#include "util/clock.h"
#include "util/log.h"

namespace sluice::storage {
namespace {

// The segment holding `offset`: the last one whose base is <= offset, or
// the first if `offset` precedes them all. `segments` must be non-empty.
const std::shared_ptr<Segment>& FindSegment(const std::vector<std::shared_ptr<Segment>>& segments, uint64_t offset) {
  auto it = std::upper_bound(segments.begin(), segments.end(), offset,
                             [](uint64_t o, const std::shared_ptr<Segment>& s) { return o < s->base_offset; });
  return it == segments.begin() ? *it : *(it - 1);
}

Status ClosedError() { return Status::IoError("shard log is closed"); }

// A read that returns no records because of `s`: logged (rate-limited) here,
// where the file is known, then reported to the caller.
Status ReadFailure(const Status& s) {
  LogIoFailure(IoFailure::kRead, s);
  return s;
}

// The encode buffer is kept between appends up to this size.
constexpr size_t kMaxRetainedScratchBytes = 1 << 20;

}  // namespace

ShardLog::Impl::Impl(std::string dir, const LogOptions& options, Flusher* flusher)
    : dir_(std::move(dir)), options_(options), flusher_(flusher) {}

Result<uint64_t> ShardLog::Impl::Append(std::span<const AppendEntry> entries, int64_t arrival_ms) {
  SLUICE_RETURN_IF_ERROR(EnsureLoaded());
  Touch();
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return ClosedError();
  if (failed_.load(std::memory_order_acquire)) return FailedError();
  const uint64_t base = end_offset_.load(std::memory_order_relaxed);
  if (entries.empty()) return base;
  const size_t length = EncodeBatch(entries, base, arrival_ms, &scratch_);
  // A rare huge batch must not pin its buffer for the life of the log.
  struct ShrinkScratch {
    std::string& s;
    ~ShrinkScratch() {
      if (s.size() > kMaxRetainedScratchBytes) std::string().swap(s);
    }
  } shrink{scratch_};
  if (length > kMaxBatchBytes) {
    return Status::InvalidArgument("batch of " + std::to_string(length) + " bytes exceeds the storage limit");
  }
  if (segments_.empty()) SLUICE_RETURN_IF_ERROR(CreateOnFirstAppend());

  Segment* active = segments_.back().get();
  if (active->size > 0 && (active->size + length > options_.segment_max_bytes ||
                           arrival_ms - active->first_arrival_ms >= options_.segment_max_age_ms)) {
    // A failed roll leaves the active segment as it was (still writable);
    // the next append that needs a roll tries again.
    SLUICE_RETURN_IF_ERROR(RollLocked());
    active = segments_.back().get();
  }
  BatchHeader header;
  header.length = static_cast<uint32_t>(length);
  header.base_offset = base;
  header.record_count = static_cast<uint32_t>(entries.size());
  header.first_arrival_ms = arrival_ms;
  header.last_arrival_ms = arrival_ms;
  Status written = active->Append(scratch_.data(), length, header, options_.index_interval_bytes);
  if (!written.ok()) {
    LogIoFailure(IoFailure::kWrite, written);
    // Cut back, the segment is as it was and a later append may succeed
    // (once there is space again). Not cut back, it may hold part of this
    // batch: nothing more may be acknowledged.
    if (active->file->Failed()) Fail(written);
    return written;
  }

  size_bytes_.fetch_add(length, std::memory_order_relaxed);
  last_arrival_ms_.store(arrival_ms, std::memory_order_release);
  end_offset_.store(header.end_offset(), std::memory_order_release);
  if (options_.durability != Durability::kFsync) {
    durable_end_.store(header.end_offset(), std::memory_order_release);
  }
  return base;
}

Status ShardLog::Impl::RollLocked() {
  Segment* old = segments_.back().get();
  // A sealed segment is exactly as long as its data: its index's size check
  // holds, and the padding is not kept on disk for the life of the segment.
  Status seal_status = old->file->Seal();
  if (!seal_status.ok()) {
    // Not fatal: the next Open rebuilds the index and cuts the padding.
    log::Warn("storage: could not cut the padding of {}: {}", old->path_stem, seal_status.ToString());
  }
  if (options_.durability == Durability::kFsync) {
    // Sync before a later segment exists, so that after a crash only the
    // last segment can have a torn tail.
    // (A roll retried after a failed creation syncs again: cheap, clean.)
    Status s = old->file->Sync();
    if (s.ok()) s = SyncCreatedDirs(nullptr);
    if (!s.ok()) {
      Fail(s);  // see SyncDirty()
      return s;
    }
    MarkDurable(old->end_offset);
  }
  Status index_status = old->SaveIndex();
  if (!index_status.ok()) {
    // Not fatal: the index is rebuilt from the segment at the next Open.
    log::Warn("storage: could not save index of {}: {}", old->path_stem, index_status.ToString());
  }
  // The next segment exists before this one lets go of its descriptor: if
  // creating it fails (no descriptors, no space, no inodes), this one stays
  // the active, writable segment and a later append retries the roll.
  auto segment = CreateSegment(old->end_offset);
  if (!segment.ok()) {
    LogIoFailure(IoFailure::kCreateSegment, segment.status());
    return segment.status();
  }
  // Only the active segment keeps a descriptor; reads of this one open it
  // on demand (FdCache), so descriptors do not grow with retained segments.
  old->file->Release();
  segments_.push_back(std::move(segment).value());
  return Status::Ok();
}

void ShardLog::Impl::Fail(const Status& cause) {
  if (failed_.exchange(true, std::memory_order_acq_rel)) return;
  log::Error("storage: {}; the log in {} acknowledges no more writes", cause.message(), dir_);
}

Status ShardLog::Impl::FailedError() const {
  return Status::IoError("shard log in " + dir_ + " failed an earlier write or sync");
}

void ShardLog::Impl::MarkDurable(uint64_t end_offset) {
  uint64_t current = durable_end_.load(std::memory_order_relaxed);
  while (current < end_offset && !durable_end_.compare_exchange_weak(current, end_offset, std::memory_order_release)) {
  }
}

void ShardLog::Impl::WhenDurable(uint64_t end_offset, std::function<void(Status)> done) {
  if (Status loaded = EnsureLoaded(); !loaded.ok()) {
    done(loaded);
    return;
  }
  Touch();
  if (options_.durability != Durability::kFsync || end_offset <= durable_end_.load(std::memory_order_acquire)) {
    done(Status::Ok());
    return;
  }
  if (flusher_ == nullptr) {
    bool synced = false;
    done(SyncDirty(&synced));
    PadActiveSegment();
    return;
  }
  if (!BeginWaiter()) {
    done(ClosedError());
    return;
  }
  // A TruncateTo() before the answer may have removed the records waited for.
  flusher_->Enqueue(this, [this, truncations = Truncations(), end_offset, done = std::move(done)](Status s) {
    done(s.ok() ? CutSince(truncations, end_offset) : s);
  });
}

Status ShardLog::Impl::SyncDirty(bool* synced, SyncedDirs* round) {
  *synced = false;
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  uint64_t target;
  std::shared_ptr<Segment> active;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return durable_end_.load() >= end_offset_.load() ? Status::Ok() : ClosedError();
    target = end_offset_.load(std::memory_order_relaxed);
    if (target <= durable_end_.load(std::memory_order_acquire)) return Status::Ok();
    // Older segments were synced when they were rolled.
    active = segments_.back();
  }
  if (!sync_error_.ok()) return sync_error_;
  if (failed_.load(std::memory_order_acquire)) return FailedError();
  *synced = true;
  return SyncActive(*active, target, round);
}

Status ShardLog::Impl::SyncActive(const Segment& active, uint64_t target, SyncedDirs* round) {
  Status s = active.file->Sync();
  if (s.ok()) s = SyncCreatedDirs(round);
  if (!s.ok()) {
    // After a failed fdatasync the kernel may have dropped the dirty pages
    // and a retry can falsely succeed, so the log stays failed.
    sync_error_ = s;
    Fail(s);
    return s;
  }
  MarkDurable(target);
  return Status::Ok();
}

void ShardLog::Impl::PadSegment(Segment* segment) {
  if (options_.durability != Durability::kFsync) return;
  Status s = segment->file->PrepareAhead(options_.segment_max_bytes);
  // After a failure the file stops padding (appends grow it), so this is
  // logged once per segment. A failed fdatasync is also reported by the
  // segment's next Sync(), which fails the log.
  if (!s.ok()) LogIoFailure(IoFailure::kPadding, s);
}

bool ShardLog::Impl::PadActiveSegment() {
  if (options_.durability != Durability::kFsync) return false;
  std::shared_ptr<Segment> active;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || segments_.empty()) return false;
    active = segments_.back();
  }
  // Outside mu_: appends go on meanwhile. A roll in between seals the
  // segment, and PrepareAhead then does nothing.
  PadSegment(active.get());
  return active->file->PhysicalSize() > active->file->Size();
}

Result<bool> ShardLog::Impl::CutIdlePadding() {
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  std::shared_ptr<Segment> active;
  uint64_t target;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_ || failed_.load(std::memory_order_acquire) || segments_.empty()) return false;
    active = segments_.back();
    // Read with the segment it belongs to: an append that rolls once mu_ is
    // released writes a segment this sync does not cover.
    target = end_offset_.load(std::memory_order_relaxed);
    if (active->file->PhysicalSize() == active->file->Size()) return false;
    // Under mu_: an append may be writing into the padding otherwise.
    Status cut = active->file->CutPadding();
    if (!cut.ok()) {
      LogIoFailure(IoFailure::kPadding, cut);
      return cut;
    }
  }
  // Synced, so that the space stays free after a crash too. The sync covers
  // any data appended before it, like a flusher round (see SyncDirty()).
  SLUICE_RETURN_IF_ERROR(SyncActive(*active, target));
  return true;
}

void ShardLog::Impl::Touch() const { last_used_ns_.store(MonotonicNanos(), std::memory_order_relaxed); }

bool ShardLog::Impl::IdleFor(int64_t idle_ns) {
  if (!load_status_.ok() || failed_.load(std::memory_order_acquire)) return false;
  if (MonotonicNanos() - last_used_ns_.load(std::memory_order_relaxed) < idle_ns) return false;
  if (durable_end_.load(std::memory_order_acquire) < end_offset_.load(std::memory_order_acquire)) return false;
  std::lock_guard<std::mutex> lock(waiters_mu_);
  return inflight_ == 0;
}

bool ShardLog::Impl::BeginWaiter() {
  std::lock_guard<std::mutex> lock(waiters_mu_);
  if (closing_) return false;
  ++inflight_;
  return true;
}

void ShardLog::Impl::EndWaiter() {
  std::lock_guard<std::mutex> lock(waiters_mu_);
  if (--inflight_ == 0) waiters_cv_.notify_all();
}

Result<ReadResult> ShardLog::Impl::Read(uint64_t from, size_t max_records, size_t max_bytes) const {
  SLUICE_RETURN_IF_ERROR(EnsureLoaded());
  Touch();
  ReadResult result;
  from = std::max(from, StartOffset());
  result.next_offset = from;
  // Only durable records are visible: one written but not yet synced may
  // still be lost, and its offset reused by another record.
  const uint64_t end = VisibleEndOffset();
  if (max_records == 0 || from >= end) return result;
  result.records.reserve(std::min<uint64_t>(max_records, std::min<uint64_t>(end - from, 1 << 16)));

  ReadBudget budget{max_records, max_bytes};
  uint64_t cursor = from;
  while (!budget.exhausted) {
    std::shared_ptr<Segment> segment;
    std::shared_ptr<void> pin;
    uint64_t position, batch_offset, limit, segment_end;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (closed_) return ClosedError();
      segment = FindSegment(segments_, cursor);
      cursor = std::max(cursor, segment->base_offset);  // trimmed meanwhile
      if (cursor >= end) break;
      if (cursor >= segment->end_offset) {
        // Segments are contiguous: no segment holding a visible offset is a
        // hole (a segment file missing or renamed), never to be skipped.
        Status hole = Status::Corruption("no segment in " + dir_ + " holds offset " + std::to_string(cursor) + " (" +
                                         segment->path_stem + " ends at " + std::to_string(segment->end_offset) + ")");
        if (result.records.empty()) return ReadFailure(hole);
        break;
      }
      // Records are dense from `cursor`: stop at the visible end.
      budget.max_records = std::min<uint64_t>(budget.max_records, result.records.size() + (end - cursor));
      const IndexEntry floor = segment->index.FloorOffset(cursor);
      position = floor.position;
      batch_offset = std::max(floor.offset, segment->base_offset);
      limit = segment->size;
      segment_end = segment->end_offset;
      // Opened (if sealed and not cached) while the segment is still listed,
      // so a trim removing its file cannot interrupt this read.
      auto pinned = segment->file->Pin();
      if (!pinned.ok()) {
        if (result.records.empty()) return pinned.status();
        break;
      }
      pin = std::move(pinned).value();
    }
    Status s = ReadSegmentRecords(*segment->file, position, limit, cursor, &budget, &result, &batch_offset);
    if (s.ok() && !budget.exhausted && batch_offset != segment_end) {
      s = Status::Corruption(segment->file->path() + " ends at offset " + std::to_string(batch_offset) + ", not at " +
                             std::to_string(segment_end));
    }
    if (!s.ok()) {
      // Records before the bad batch are sound; hand them out and let the
      // next read (starting at the bad batch) report the corruption.
      if (result.records.empty()) return ReadFailure(s);
      LogIoFailure(IoFailure::kRead, s);
      break;
    }
    cursor = segment_end;
  }
  if (!result.records.empty()) result.next_offset = result.records.back().offset + 1;
  return result;
}

Result<uint64_t> ShardLog::Impl::OffsetForTime(int64_t timestamp_ms) const {
  SLUICE_RETURN_IF_ERROR(EnsureLoaded());
  Touch();
  std::shared_ptr<Segment> segment;
  std::shared_ptr<void> pin;
  IndexEntry entry;
  uint64_t limit, segment_end;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    for (const auto& s : segments_) {
      if (s->size > 0 && s->max_arrival_ms >= timestamp_ms) {
        segment = s;
        break;
      }
    }
    if (segment == nullptr) return EndOffset();
    uint64_t next_entry_offset;
    entry = segment->index.FloorTime(timestamp_ms, &next_entry_offset);
    limit = segment->size;
    segment_end = segment->end_offset;
    SLUICE_ASSIGN_OR_RETURN(pin, segment->file->Pin());  // see Read()
  }
  SLUICE_ASSIGN_OR_RETURN(uint64_t found, FindOffsetForTime(*segment->file, entry.position, limit, timestamp_ms));
  return found == UINT64_MAX ? segment_end : found;
}

Result<uint64_t> ShardLog::Impl::TrimOlderThan(int64_t before_ms) {
  SLUICE_RETURN_IF_ERROR(EnsureLoaded());
  std::vector<std::shared_ptr<Segment>> removed;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    if (segments_.empty()) return start_offset_.load(std::memory_order_relaxed);  // never written
    // An idle log whose every record expired hands its active segment over
    // to a new, empty one, so that it is removed like the others without
    // waiting for a write to roll it. A failed roll (logged) leaves it.
    const Segment& active = *segments_.back();
    if (active.size > 0 && active.max_arrival_ms < before_ms && !failed_.load(std::memory_order_acquire)) {
      (void)RollLocked();
    }
    while (segments_.size() > 1 && segments_.front()->max_arrival_ms < before_ms) {
      size_bytes_.fetch_sub(segments_.front()->size, std::memory_order_relaxed);
      removed.push_back(std::move(segments_.front()));
      segments_.erase(segments_.begin());
    }
    start_offset_.store(segments_.front()->base_offset, std::memory_order_release);
  }
  // Readers still holding a removed segment keep reading the descriptor they
  // pinned; it closes when they let go of the segment.
  for (const auto& segment : removed) {
    Status s = segment->RemoveFiles();
    if (!s.ok()) log::Warn("storage: trim: {}", s.ToString());
  }
  return StartOffset();
}

Status ShardLog::Impl::Close() {
  {
    std::unique_lock<std::mutex> lock(waiters_mu_);
    closing_ = true;
    waiters_cv_.wait(lock, [&] { return inflight_ == 0; });
  }
  // No round holds it now, and closing_ keeps new ones away: the flusher
  // may forget it.
  if (flusher_ != nullptr) flusher_->Forget(this);
  std::lock_guard<std::mutex> sync_lock(sync_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return Status::Ok();
  closed_ = true;
  Status status;
  bool cut_padding = false;
  if (!segments_.empty()) {
    SegmentFile& file = *segments_.back()->file;
    cut_padding = file.PhysicalSize() > file.Size();
    Status s = file.Seal();
    if (!s.ok()) {
      log::Warn("storage: could not cut the padding of {}: {}", segments_.back()->path_stem, s.ToString());
    }
  }
  // The cut padding is synced too, so that it stays off the disk.
  if (options_.durability == Durability::kFsync && !segments_.empty() &&
      (cut_padding || durable_end_.load() < end_offset_.load())) {
    status = segments_.back()->file->Sync();
    if (status.ok()) status = SyncCreatedDirs(nullptr);
    if (status.ok()) MarkDurable(end_offset_.load());
  }
  for (const auto& segment : segments_) {
    // An empty last segment has no index to save. Any segment holding
    // records keeps its index files, even a single entry's: the retention
    // pass reads a log's newest arrival from them without loading it.
    if (segment == segments_.back() && segment->index.size() == 0) continue;
    Status s = segment->SaveIndex();
    if (!s.ok()) log::Warn("storage: could not save index of {}: {}", segment->path_stem, s.ToString());
  }
  segments_.clear();  // closes the files once readers let go
  return status;
}

int64_t ShardLog::Impl::OldestSegmentNewestArrivalMillis() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (segments_.size() != 1) return INT64_MIN;
  return last_arrival_ms_.load(std::memory_order_relaxed);
}

Status ShardLog::Impl::Destroy() {
  Status s = Close();
  if (options_.durability == Durability::kMemory) return s;
  SLUICE_RETURN_IF_ERROR(options_.env->RemoveAll(dir_));
  return s;
}

}  // namespace sluice::storage
