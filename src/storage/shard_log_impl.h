// ShardLog::Impl: the state behind a ShardLog (see shard_log.h for the
// contract). Internal to the storage layer; the Flusher drives the sync
// half of it.
//
// Lifecycle: made by ShardLog when it loads (at Open(), or at the first use
// of a lazily opened log) and freed when it unloads (ShardLog::UnloadIfIdle)
// or is destroyed; a log that is not loaded has no Impl.
//
// Locking (in acquisition order):
//   sync_mu_    one sync of this log at a time (flusher, Close)
//   mu_         segments_, every Segment's mutable state, scratch_; held by
//               Append for encode + write(2), by readers only to locate a
//               segment and copy an index entry
//   waiters_mu_ inflight_ / closing_ (flusher requests not yet completed)
// The cheap getters read atomics and take no lock.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/segment.h"
#include "storage/shard_log.h"

namespace sluice::storage {

// Directories one flusher round has synced: a parent directory shared by
// many logs created in the round is synced once (see SyncDirty).
using SyncedDirs = std::unordered_set<std::string>;

class ShardLog::Impl {
 public:
  Impl(std::string dir, const LogOptions& options, Flusher* flusher);

  // Loads and recovers the segments (or starts an empty memory log). Its
  // outcome is kept: a log that failed to recover fails every call.
  Status Open();
  // For a log closed before it loaded: every call fails with IoError.
  void OpenClosed();
  // Open()'s outcome.
  Status EnsureLoaded() const { return load_status_; }
  // Whether the log could be unloaded now: loaded without error, not
  // failed, unused (see Touch()) for `idle_ns` or more, every appended
  // record durable and no flusher request pending.
  bool IdleFor(int64_t idle_ns);

  Result<uint64_t> Append(std::span<const AppendEntry> entries, int64_t arrival_ms);
  void WhenDurable(uint64_t end_offset, std::function<void(Status)> done);
  Result<ReadResult> Read(uint64_t from, size_t max_records, size_t max_bytes) const;
  Result<uint64_t> OffsetForTime(int64_t timestamp_ms) const;
  Result<uint64_t> TrimOlderThan(int64_t before_ms);
  Status TruncateTo(uint64_t end_offset);  // shard_log_truncate.cc
  Status ResetTo(uint64_t offset);         // shard_log_reset.cc
  Status Close();
  Status Destroy();

  // The getters recover a lazily opened log first (0 when that fails).
  uint64_t StartOffset() const { return Loaded(start_offset_); }
  uint64_t EndOffset() const { return Loaded(end_offset_); }
  uint64_t VisibleEndOffset() const { return Loaded(durable_end_); }
  int64_t LastArrivalMillis() const { return Loaded(last_arrival_ms_); }
  uint64_t SizeBytes() const { return Loaded(size_bytes_); }
  // The newest arrival in the oldest segment when the log has one segment
  // (its newest record's), else INT64_MIN: not known without its index.
  int64_t OldestSegmentNewestArrivalMillis() const;

  // ---- Flusher side ----
  // Syncs whatever was appended but not yet synced, then marks it durable.
  // Sets *synced when an fdatasync was issued. Thread-safe. A log created
  // by its first append also syncs its directory and the directory's parent
  // (unless `round` holds the parent: synced in this round, after the
  // directory was made; the parent is added to `round` once synced).
  Status SyncDirty(bool* synced, SyncedDirs* round = nullptr);
  // Writes the next chunk of zero padding into the active segment when the
  // appends come close to the end of what is padded (kFsync only; see
  // SegmentFile::PrepareAhead). Called by the flusher after each round, so
  // the zeros are written and synced off the append path and ahead of need.
  // Returns whether the active segment now has padding.
  bool PadActiveSegment();
  // Cuts the active segment's padding and syncs the cut (kFsync): the
  // flusher calls it once the log has been idle for a while, so an idle
  // shard keeps no space ahead of use. Returns whether a cut was made and
  // synced; false, doing nothing, when the log is closed or failed or its
  // active segment has no padding (a roll or retention replaced it). A
  // failed sync fails the log, like a failed SyncDirty(). Thread-safe.
  Result<bool> CutIdlePadding();
  // Registers a request the flusher will complete; false once the log is
  // closing (the caller then completes it with an error itself).
  bool BeginWaiter();
  // Called after a registered request's `done` ran; the log may be destroyed
  // right after the last one, so the caller must not touch it again.
  void EndWaiter();

 private:
  // `value` once the log is loaded (a failed load leaves it at 0).
  template <typename T>
  T Loaded(const std::atomic<T>& value) const {
    return value.load(std::memory_order_acquire);
  }
  // Notes a use (append, read, durability wait) for IdleFor().
  void Touch() const;
  // What Open() does: lists, recovers or creates the segments.
  Status Load();
  Status RecoverSegments(const std::vector<uint64_t>& bases);
  Status RecoverOlderSegment(Segment* segment, uint64_t next_base);
  Status RecoverLastSegment(Segment* segment);
  // Open() of a log whose directory holds a `reset` file (ResetTo()
  // interrupted by a crash): removes the segments below its offset, creates
  // the segment at its offset if missing, removes the file
  // (shard_log_reset.cc). OK when there is none.
  Status FinishInterruptedReset(const std::vector<std::string>& names);
  // A new segment; in kFsync its directory entry is synced at once, or,
  // with `defer_dir_sync`, by SyncCreatedDirs() before it holds durable data.
  Result<std::shared_ptr<Segment>> CreateSegment(uint64_t base_offset, bool defer_dir_sync = false);
  // LogOptions::create_on_first_append: the directory and first segment of
  // a log that has none, made by its first Append. Caller holds mu_.
  Status CreateOnFirstAppend();
  // kFsync: syncs the directory entries CreateOnFirstAppend() made, if not
  // yet done (the log's directory, then its parent unless in `round`).
  Status SyncCreatedDirs(SyncedDirs* round);
  Status RollLocked();
  // Marks the log failed for good (logging `cause` once): Append refuses.
  void Fail(const Status& cause);
  Status FailedError() const;
  // PrepareAhead on `segment` in kFsync (a no-op otherwise); logs failures.
  void PadSegment(Segment* segment);
  void MarkDurable(uint64_t end_offset);
  // Truncation (shard_log_truncate.cc). The count of TruncateTo() cuts so
  // far, taken by a WhenDurable() request when it is made; at its answer,
  // the error for a request up to `end_offset` that a cut made since
  // `truncations` removed records of, else OK.
  uint64_t Truncations() const { return truncations_.load(std::memory_order_acquire); }
  Status CutSince(uint64_t truncations, uint64_t end_offset) const;
  // Notes a cut at `offset` (TruncateTo, ResetTo): durability waits made
  // before it for an end above `offset` fail (CutSince).
  void RecordCut(uint64_t offset);
  // Why a cut (TruncateTo, ResetTo) cannot be made now: the log is closed
  // or failed; OK otherwise. Caller holds mu_.
  Status CutRefusalLocked() const;
  // The cut segment's file: the first `size` bytes of `segment`'s, in a new
  // writable file (disk: the same file reopened and truncated).
  Result<std::unique_ptr<SegmentFile>> CutSegmentFile(Segment* segment, uint64_t size);
  // Syncs `active` and marks everything below `target` (appended before the
  // call) durable; a failure fails the log for good. Caller holds sync_mu_.
  Status SyncActive(const Segment& active, uint64_t target, SyncedDirs* round = nullptr);

  const std::string dir_;
  const LogOptions options_;
  Flusher* const flusher_;

  mutable std::mutex sync_mu_;
  Status load_status_;                            // Open()'s outcome; set before the log is shared
  mutable std::atomic<int64_t> last_used_ns_{0};  // MonotonicNanos of the last use
  Status sync_error_;                             // guarded by sync_mu_; once set, every sync reports it
  // A sync failed, or a write that could not be cut back: Append refuses.
  std::atomic<bool> failed_{false};
  // The directory entries CreateOnFirstAppend() made are not synced yet.
  std::atomic<bool> created_dirs_unsynced_{false};
  mutable std::mutex mu_;
  // By base offset; back() is active. Empty only for a log not created yet
  // (LogOptions::create_on_first_append) or one that failed to load.
  std::vector<std::shared_ptr<Segment>> segments_;
  std::string scratch_;  // encode buffer, reused
  bool closed_ = false;

  std::mutex waiters_mu_;
  std::condition_variable waiters_cv_;
  int inflight_ = 0;
  bool closing_ = false;

  std::atomic<uint64_t> start_offset_{0};
  std::atomic<uint64_t> end_offset_{0};
  // Offset after the last durable record (synced in kFsync, written
  // otherwise): the end readers see. Only moves forward (MarkDurable), but
  // to a TruncateTo() cut.
  std::atomic<uint64_t> durable_end_{0};
  std::atomic<int64_t> last_arrival_ms_{0};
  std::atomic<uint64_t> size_bytes_{0};

  // Every TruncateTo() cut, in order; truncations_ is its size.
  mutable std::mutex cuts_mu_;
  std::vector<uint64_t> cuts_;
  std::atomic<uint64_t> truncations_{0};
};

}  // namespace sluice::storage
