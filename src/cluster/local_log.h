// LocalLog: what one replica of a shard keeps of its records on this node,
// as the replication logic (replica_log.h) writes and reads it. Narrower
// than engine::ShardStore in what it promises to readers (nothing about
// commitment: that is the replica's business) and wider in one call,
// TruncateTo(), which a follower needs to cut a suffix its leader never
// committed, and ResetTo(), to start over at its leader's log start.
//
// Implementations: MemoryLocalLog (memory_local_log.h), for tests; an adapter
// over storage::ShardLog (whose VisibleEndOffset() is its DurableEnd()).
//
// Contract:
// - Offsets are dense and never repeat between truncations: Append() assigns
//   EndOffset() onwards, TruncateTo(end) makes EndOffset() == end and the
//   next append reuses the offsets cut. ResetTo(offset) makes StartOffset(),
//   EndOffset() and DurableEnd() == offset, with no record.
// - DurableEnd() <= EndOffset(); every record below it survives a crash. It
//   only moves backwards through TruncateTo().
// - Read() returns records at and past `from` up to at most EndOffset(),
//   committed or not (an implementation may stop at DurableEnd()).
//
// Threading: every method is thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "storage/shard_log.h"
#include "util/status.h"

namespace sluice::cluster {

class LocalLog {
 public:
  virtual ~LocalLog() = default;

  // Appends `entries` as one batch with one arrival time; returns the offset
  // of the first. Errors: IoError (also after Close()), InvalidArgument.
  virtual Result<uint64_t> Append(std::span<const storage::AppendEntry> entries, int64_t arrival_ms) = 0;
  // Calls `done` once every record below `end_offset` is durable here, on any
  // thread, possibly inline. IoError when a sync fails, when the records are
  // truncated first, or after Close().
  virtual void WhenDurable(uint64_t end_offset, std::function<void(Status)> done) = 0;

  virtual uint64_t StartOffset() const = 0;
  virtual uint64_t EndOffset() const = 0;
  virtual uint64_t DurableEnd() const = 0;
  // Arrival time of the newest record, 0 when empty.
  virtual int64_t LastArrivalMillis() const = 0;

  // Up to `max_records` records from `from` (clamped up to StartOffset()),
  // within `max_bytes` of key and data (at least one record when one is
  // there). Errors: Corruption, IoError.
  virtual Result<storage::ReadResult> Read(uint64_t from, size_t max_records, size_t max_bytes) const = 0;
  // As engine::ShardStore::OffsetForTime and TrimOlderThan.
  virtual Result<uint64_t> OffsetForTime(int64_t timestamp_ms) const = 0;
  virtual Result<uint64_t> TrimOlderThan(int64_t before_ms) = 0;

  // Removes every record at and past `end_offset` (no-op when `end_offset`
  // >= EndOffset()); durability waits above it fail, possibly on the
  // caller's thread. It must not wait for callbacks running on other threads
  // (the caller may hold a lock they take). Errors: InvalidArgument for an
  // `end_offset` below StartOffset(), IoError.
  virtual Status TruncateTo(uint64_t end_offset) = 0;
  // Removes every record and starts the log again, empty, at `offset` (>=
  // EndOffset()), durably: after a crash the log is the old one or the new
  // one. Durability waits pending fail, possibly on the caller's thread, as
  // for TruncateTo(). Errors: InvalidArgument for an `offset` below
  // EndOffset(), IoError.
  virtual Status ResetTo(uint64_t offset) = 0;

  // Completes pending durability waits and releases the log. Idempotent.
  virtual Status Close() = 0;
  // Closes and removes the records.
  virtual Status Destroy() = 0;
  virtual uint64_t SizeBytes() const = 0;
};

}  // namespace sluice::cluster
