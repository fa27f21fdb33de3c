// ShardStore: what the engine asks of one shard's record log, and
// ShardStoreFactory, which opens them. The engine holds every shard log
// through this interface only, so that a log kept elsewhere can stand in for
// the local segmented one (engine/local_shard_store.h, over
// storage::ShardLog): a replicated log whose leader appends and whose
// followers pull would implement Append/WhenDurable as "committed on the
// in-sync replicas" and VisibleEndOffset as its high watermark.
//
// Contract (what the engine relies on, whatever the implementation):
// - Offsets are dense, start at 0 and never repeat.
// - Append() assigns offsets in call order and returns the first one.
// - WhenDurable(end, done) calls `done` once every record below `end` is as
//   durable as the store promises (then they are acknowledged to
//   producers), on any thread, possibly inline; `done` must be quick.
// - VisibleEndOffset() is the end of what readers may see: it only covers
//   records WhenDurable() has reported, it advances before the callbacks it
//   satisfies run, and never moves backwards while the store is open.
// - Read() never returns a record at or past VisibleEndOffset().
// - After Close() or Destroy(), the mutators and Read() fail with IoError.
//
// Threading: every method is thread-safe. The engine calls a store under its
// shard's life lock (engine/stream_state.h), shared for appends and reads,
// exclusive for Close() and Destroy(); the store's own locks are inner to it.
// Cost: one virtual call per engine-level operation (append, read, durability
// wait), never per record.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "engine/engine_metrics.h"
#include "engine/shard_key.h"
#include "storage/shard_log.h"
#include "util/status.h"

namespace sluice::engine {

class ShardStore {
 public:
  virtual ~ShardStore() = default;

  // Appends `entries` as one batch with one arrival time; returns the offset
  // of the first. Errors: IoError (also after Close()), InvalidArgument
  // (batch too large), NotLeader (a replicated store that lost leadership).
  virtual Result<uint64_t> Append(std::span<const storage::AppendEntry> entries, int64_t arrival_ms) = 0;
  // Calls `done` once every record below `end_offset` is durable; a failure
  // to make them so reports its Status (IoError locally).
  virtual void WhenDurable(uint64_t end_offset, std::function<void(Status)> done) = 0;

  // Oldest retained offset.
  virtual uint64_t StartOffset() const = 0;
  // The offset the next appended record gets.
  virtual uint64_t EndOffset() const = 0;
  // The end of what readers may see (see the contract above).
  virtual uint64_t VisibleEndOffset() const = 0;
  // Arrival time of the newest record, 0 when empty.
  virtual int64_t LastArrivalMillis() const = 0;

  // Up to `max_records` records from `from` (clamped up to StartOffset()),
  // below VisibleEndOffset(), within `max_bytes` of key and data (at least
  // one record when one is visible). Errors: Corruption, IoError.
  virtual Result<storage::ReadResult> Read(uint64_t from, size_t max_records, size_t max_bytes) const = 0;
  // The first offset whose record arrived at or after `timestamp_ms`
  // (EndOffset() when none did).
  virtual Result<uint64_t> OffsetForTime(int64_t timestamp_ms) const = 0;
  // Drops whole stretches of records that arrived before `before_ms` (never
  // the newest); returns the new StartOffset().
  virtual Result<uint64_t> TrimOlderThan(int64_t before_ms) = 0;

  // Completes pending durability waits and releases the store. Idempotent.
  virtual Status Close() = 0;
  // Closes and removes the store's records (stream deletion).
  virtual Status Destroy() = 0;

  // Bytes of records held (on disk, or in memory). Does not load a store
  // that is not loaded.
  virtual uint64_t SizeBytes() const = 0;

  // Frees what a store idle for `idle_ms` or more holds in memory and in
  // descriptors (no append, read or durability wait meanwhile, nothing
  // pending), keeping its records: the next call loads it again. Returns
  // whether it did. The engine calls it under the shard's life lock held
  // exclusively. A store that has nothing to free returns false.
  virtual bool UnloadIfIdle(int64_t /*idle_ms*/) { return false; }
  // Whether the store holds its state in memory now (false once unloaded,
  // or not yet loaded after a start).
  virtual bool IsLoaded() const { return true; }
};

// Opens shard stores. Owned by the engine (or shared with the test that made
// it); must outlive every store it opened. Thread-safe.
class ShardStoreFactory {
 public:
  virtual ~ShardStoreFactory() = default;
  // Opens (creating if missing) the store of `shard`. `dir` is the shard's
  // folder under the data directory (engine/data_layout.h; a name only in
  // memory mode). Errors: IoError, Corruption.
  virtual Result<std::unique_ptr<ShardStore>> Open(const ShardKey& shard, const std::string& dir) = 0;
  // Completes every pending durability wait; stores opened afterwards, and
  // waits made afterwards, complete on the caller's thread. Called once the
  // engine takes no more appends, before it closes the stores. Idempotent.
  virtual void Stop() = 0;
  // Adds the factory's counters (group commit, fsync latency) to `out`.
  virtual void AddMetrics(StorageMetrics* out) const = 0;
};

}  // namespace sluice::engine
