// ShardLog: one shard's durable, segmented, append-only record log.
//
// Byte format: docs/log-format.md (constants in storage/log_format.h).
// A log lives in its own directory: segment files named by base offset, each
// with a sparse offset index and a time index beside it. Offsets are dense,
// start at 0 and never repeat.
//
// Descriptors: every segment file, the active one too, is opened on demand
// and kept open in a process-wide least-recently-used cache of a bounded
// number of descriptors (storage/fd_cache.h), so descriptors do not grow with
// shards or retained segments.
//
// Threading: every method is thread-safe. Append takes a short per-log lock;
// readers never block appenders for longer than copying an index entry.
//
// Durability: Append() hands the bytes to the OS (write(2)) before it returns
// (kFsync, kOs) or keeps them in memory (kMemory). WhenDurable() fires once the
// records are as durable as the mode promises: after fdatasync in kFsync (many
// appends, across shards, share one sync through the Flusher: group commit),
// immediately in kOs and kMemory. Readers see a record only once it is that
// durable (VisibleEndOffset()). In kFsync the active segment of a log being
// written is padded with zero bytes ahead of its data, so that such a sync
// overwrites allocated blocks and need not commit a new file size; the
// padding is cut once the log is idle, and at Close (docs/log-format.md, 2.4).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "storage/env.h"
#include "util/atomic_histogram.h"
#include "util/status.h"

namespace sluice::storage {

enum class Durability { kFsync, kOs, kMemory };

struct LogOptions {
  Durability durability = Durability::kFsync;
  // A segment is rolled once it reaches this size or age.
  uint64_t segment_max_bytes = 64ull << 20;
  int64_t segment_max_age_ms = 60ll * 60 * 1000;
  // One sparse index entry per this many bytes of batches.
  uint32_t index_interval_bytes = 4096;
  // Open() of a log whose directory already holds segments only notes the
  // directory: the segments are opened and recovered (torn tail cut, padding
  // left by a crash cut) on the first call that needs them, so a shard left
  // untouched after a restart costs no descriptor, no recovery and little
  // memory. A recovery error then fails that call (and every later one).
  // Such a log is a small handle until then (ShardLog::UnloadIfIdle returns
  // a log to it).
  bool open_lazily = false;
  // A log with no segment on disk (its directory missing or holding none)
  // costs nothing on disk until its first Append: it opens empty, and that
  // append creates its directory (whose parent must exist) and first
  // segment. In kFsync the new directory entries are synced by the first
  // sync of the log (the flusher's round, a roll or Close), before any of
  // its records is durable; a round syncs a parent directory shared by many
  // such logs once. Destroy() of a log never written removes nothing.
  bool create_on_first_append = false;
  // Every file operation of the log goes through this; must outlive the log.
  // Tests substitute one that injects failures (storage/testing/).
  Env* env = Env::Default();
};

struct AppendEntry {
  std::string_view partition_key;
  std::string_view data;
};

// A record read back from the log. Views point into ReadResult::buffer.
struct StoredRecord {
  uint64_t offset;
  int64_t arrival_ms;
  std::string_view partition_key;
  std::string_view data;
};

// Moving a ReadResult keeps the views valid: when it holds records, the
// buffer holds at least one whole batch (> 15 bytes), so its bytes live on
// the heap and a move does not relocate them. Copying invalidates them.
struct ReadResult {
  std::string buffer;                 // owns the bytes the records view
  std::vector<StoredRecord> records;  // in offset order, contiguous offsets
  uint64_t next_offset = 0;           // offset after the last returned record
};

class Flusher;

class ShardLog {
 public:
  // Opens the log in `dir` (created if missing; ignored in kMemory), then
  // recovers: validates the tail of the last segment batch by batch, from
  // its index's last checkpoint even after a clean close, truncates
  // at zero padding or the first torn or corrupt batch (logging what it cut
  // when that was more than zeros), and rebuilds a missing or stale index.
  // Does not scan whole segments other than the last. With
  // LogOptions::open_lazily and existing segments, recovery is deferred to
  // the first Append, WhenDurable, Read, OffsetForTime or getter, and to
  // the first TrimOlderThan that may have something to trim (the oldest
  // segment's index files tell); it completes before that call does anything
  // else.
  // `flusher` must outlive the log; it may be null in kOs and kMemory.
  static Result<std::unique_ptr<ShardLog>> Open(const std::string& dir, const LogOptions& options, Flusher* flusher);
  ~ShardLog();

  // Appends `entries` as one batch with one arrival time. Returns the offset
  // of the first entry; the others follow densely (an empty `entries` appends
  // nothing and returns EndOffset()). Errors: IoError (also after Close()),
  // InvalidArgument for a batch over 256 MiB encoded.
  Result<uint64_t> Append(std::span<const AppendEntry> entries, int64_t arrival_ms);

  // Calls `done` once every record below `end_offset` is durable (see the
  // header comment). `done` runs on the flusher's completer thread, or
  // inline when the records already are durable. A failed sync reports
  // IoError; so does a request made after Close(). `done` must be quick and
  // must not Close() or Destroy() this log (Close() waits for queued
  // requests to complete).
  void WhenDurable(uint64_t end_offset, std::function<void(Status)> done);

  // Oldest retained offset (moves forward when segments are trimmed).
  uint64_t StartOffset() const;
  // The offset the next appended record will get.
  uint64_t EndOffset() const;
  // The end of what readers may see: in kFsync the end of what is synced
  // (records written but not yet synced could still be lost in a power
  // failure, and their offsets reused by other records), in kOs and kMemory
  // EndOffset(). It advances when a sync completes, before the WhenDurable()
  // callbacks it satisfies run; a failed sync never advances it. Never
  // exceeds EndOffset() and never moves backwards while the log is open,
  // except to a TruncateTo() cut.
  uint64_t VisibleEndOffset() const;
  // Arrival time of the newest record, or 0 if the log is empty.
  int64_t LastArrivalMillis() const;

  // Reads records starting at `from` (clamped up to StartOffset()), stopping
  // at VisibleEndOffset(), after `max_records` records or once `max_bytes` of
  // key+data bytes would be exceeded (always returns at least one record if
  // a visible one exists at `from`).
  // Never returns a record whose batch checksum fails: a corrupt batch yields
  // Corruption, or, if sound records precede it in this read, those records
  // (the next read, starting at the bad batch, then yields Corruption).
  // Errors: Corruption, IoError (also after Close()).
  Result<ReadResult> Read(uint64_t from, size_t max_records, size_t max_bytes) const;

  // The first offset whose record arrived at or after `timestamp_ms`
  // (EndOffset() when none did). Uses the time index, not a scan.
  Result<uint64_t> OffsetForTime(int64_t timestamp_ms) const;

  // Deletes whole segments whose newest record arrived before `before_ms`.
  // When that is every record, the active segment goes too: a new, empty one
  // takes over at EndOffset() (which does not change), so that an idle
  // shard's expired data is freed without waiting for a write. Returns the
  // new StartOffset(). Readers in the middle of a removed segment finish
  // reading it from the open file.
  Result<uint64_t> TrimOlderThan(int64_t before_ms);

  // Removes every record at and after `end_offset` (a follower dropping a
  // suffix its leader never committed); the next Append gets `end_offset`.
  // Segments after the one holding `end_offset` are removed; that one is
  // cut at the batch holding `end_offset`, and that batch's records before
  // it are written again as new batches (with their arrival times). Then, in
  // kFsync, the segment and the directory are synced before it returns, so
  // the cut survives a crash; EndOffset() and VisibleEndOffset() are
  // `end_offset` (VisibleEndOffset moves backwards here, and only here).
  // WhenDurable() requests waiting for an end above the cut fail with
  // IoError ("... truncated ..."), also when their sync completes after it.
  // A crash during the call leaves the log ending anywhere from the start of
  // the batch holding `end_offset` to the old end (call it again after the
  // restart). Costs a read of the cut segment (its index is rebuilt). A
  // Read() already under way may still return records past the cut.
  // `end_offset` >= EndOffset() changes nothing. Errors: InvalidArgument
  // below StartOffset(); IoError (also after Close(), or once the log
  // failed; a failed sync fails the log); Corruption for a damaged batch
  // where the cut must be made.
  Status TruncateTo(uint64_t end_offset);

  // Empties the log and starts it again at `offset` (a follower whose log
  // ends below its leader's start, which retention moved past it): every
  // segment goes, a new empty one whose base is `offset` takes over, and
  // StartOffset(), EndOffset() and VisibleEndOffset() are `offset`; the next
  // Append gets `offset`. On disk (not kMemory), in this order: a `reset`
  // file naming `offset` is saved (atomically, synced), the new segment is
  // created (its directory entry synced in kFsync), the old segments are
  // removed oldest first (directory synced in kFsync), the `reset` file is
  // removed. A crash leaves the old log (no `reset` file yet) or one that
  // Open() finishes resetting (it removes every segment below the `reset`
  // file's offset and creates the new one if missing), never a mix
  // (docs/log-format.md, "Resetting a log"). WhenDurable() requests waiting
  // for records of the old log fail with IoError ("... truncated ...").
  // Readers in the middle of a removed segment finish reading it. Resetting
  // an empty log already starting at `offset` changes nothing. Errors:
  // InvalidArgument for an `offset` below EndOffset() (cut the end with
  // TruncateTo() instead); IoError (also after Close(), or once the log
  // failed; a failure once the `reset` file may be saved fails the log: the
  // next Open() finishes the reset or keeps the old log).
  Status ResetTo(uint64_t offset);

  // Waits for this log's requests queued at the flusher, syncs (kFsync),
  // saves index files where they save recovery work (not for the last
  // segment when its index has a single entry: recovery scans it from the
  // start anyway; so an empty segment leaves none) and closes files. Idempotent; the destructor calls it.
  // Later calls other than the getters fail with IoError.
  Status Close();
  // Closes and removes the log's directory (stream deletion).
  Status Destroy();

  // Bytes of batches in the segments (on disk, or in memory for kMemory);
  // zero padding ahead of the active segment's data is not counted. Does not
  // load a log that is not loaded: it answers with the size the log had when
  // it was last unloaded, or else with the segment files' sizes (listed once;
  // after a crash they may still hold padding that recovery will cut).
  uint64_t SizeBytes() const;

  // Unloads the log when it is loaded and has been idle for `idle_ms` or more
  // (no Append, WhenDurable, Read or OffsetForTime since), every appended
  // record is durable and no durability wait is pending: closes its files
  // (index files saved, padding cut) and keeps only what a lazily opened log
  // keeps, so that the next call loads it again as after a restart (cheaply:
  // the index files are current). Returns whether it unloaded. Never unloads
  // a kMemory log or one that failed.
  // Threading: the caller keeps every other call on this log out meanwhile
  // (the engine holds the shard's life lock exclusively); the flusher's use
  // of the log is waited for here.
  bool UnloadIfIdle(int64_t idle_ms);
  // Whether the segments are loaded: false after a lazy Open() until the
  // first call that needs them, and after UnloadIfIdle().
  bool IsLoaded() const;

 private:
  class Impl;
  ShardLog(std::string dir, const LogOptions& options, Flusher* flusher);
  // The loaded log, loaded now if needed (a failed load, or a log closed
  // before it loaded, gives one whose every call reports that).
  Impl& Load() const;
  // For a log not loaded: false when none of its records can have arrived
  // before `before_ms` (the oldest segment's index files say its newest
  // record arrived later), true when loading it is needed to tell.
  bool UnloadedMayHoldOlderThan(int64_t before_ms) const;

  // What a log keeps while it is not loaded: enough to find and load it.
  const std::string dir_;
  const LogOptions options_;
  Flusher* const flusher_;
  mutable std::atomic<Impl*> impl_{nullptr};  // owned; null while not loaded
  bool closed_ = false;                       // Close()d while not loaded
  // While not loaded: the oldest segment's base offset (from its file name);
  // a time its newest record is known to have arrived at or after (from its
  // index files), so that retention need not load a log with nothing to
  // trim; the bytes of batches, -1 until known.
  uint64_t unloaded_start_offset_ = 0;
  mutable std::atomic<int64_t> unloaded_newest_arrival_ms_{INT64_MIN};
  mutable std::atomic<int64_t> unloaded_size_bytes_{-1};
  friend class Flusher;
};

struct FlusherOptions {
  // A log whose active segment is padded and that no round has synced for
  // this long gets its padding cut (truncated to the data, synced): an idle
  // shard keeps no space ahead of use (docs/log-format.md, 2.4).
  int64_t idle_padding_ms = 30'000;
};

// Group commit for kFsync, on two threads. The syncer collects logs with
// unsynced appends, syncs each once per round (fdatasync), hands the round
// to the completer and starts the next round at once with everything queued
// meanwhile; then it tops up the zero padding of the logs it synced (rarely
// any work: once per chunk), and between rounds it cuts the padding of logs
// that went idle. The completer calls the round's WhenDurable() callbacks,
// rounds in the order they were synced. Requests arriving during a sync ride
// the next round, so one sync serves many requests; a callback never runs
// before the sync covering its records returned, and a failed sync fails
// every request of that log in its round.
class Flusher {
 public:
  explicit Flusher(FlusherOptions options = {});
  ~Flusher();  // Stop()s
  // Starts the threads. Requests enqueued before Start() wait for it (and are
  // then served by the first round). Does nothing after Stop().
  void Start();
  // Completes pending syncs, then joins the threads. Afterwards Enqueue()
  // syncs inline on the caller's thread. Idempotent.
  void Stop();

  // Used by ShardLog: schedule a sync of `log`'s files and then call `done`
  // (on the completer thread; inline on the caller's thread after Stop()).
  void Enqueue(ShardLog::Impl* log, std::function<void(Status)> done);
  // Used by ShardLog::Close, once no request of `log` is in flight: the
  // flusher no longer looks at it (for idle padding).
  void Forget(ShardLog::Impl* log);

  // Counters for tests and metrics: fdatasyncs issued and rounds completed.
  uint64_t SyncCount() const;
  uint64_t RoundCount() const;
  // Idle logs whose padding was cut and synced (not those that had none).
  uint64_t PaddingCutCount() const;
  // Latency of each fdatasync in microseconds, and the requests each round
  // completed (the group-commit batch size).
  HistogramSnapshot SyncMicros() const;
  HistogramSnapshot BatchSizes() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace sluice::storage
