// SegmentFile: the bytes of one segment, on disk (PosixSegmentFile) or in
// memory (MemorySegmentFile, for Durability::kMemory).
//
// Logical and physical size: Size() is the end of the data (where the next
// Append writes). A file may be physically longer: PrepareAhead() fills the
// space after the data with zero bytes and syncs it once, so that later
// appends overwrite allocated blocks and an fdatasync of them need not
// commit a new file size (docs/log-format.md, "Zero padding").
//
// Descriptors: a file holds at most one descriptor at a time (read-write
// until Release(), read-only after), opened on demand and kept in the
// process-wide FdCache (fd_cache.h), which closes the least recently used
// beyond its capacity; the next operation on the file opens it again. A
// descriptor is closed only once no operation is using it, and a closed
// descriptor's number is never used again. A file opened with
// `hold_until_synced` keeps its descriptor from an Append until a Sync()
// covers it, so that a writeback error is reported to the descriptor that
// wrote.
//
// Threading: Append/Truncate/Seal/CutPadding/Release are called by one
// writer at a time (the owning log's append lock); ReadAt may run
// concurrently with Append from any thread, for positions below a size the writer has already
// published. PrepareAhead may run on another thread concurrently with all of
// them (it writes only past the data, and Append waits for it only when it
// has to write where PrepareAhead is writing), and so may Sync.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "storage/env.h"
#include "util/status.h"

namespace sluice::storage {

// PrepareAhead's zero padding: the first chunk, and the largest (a chunk is
// as long as the file already is, within these bounds).
inline constexpr uint64_t kMinPaddingChunkBytes = 1 << 20;
inline constexpr uint64_t kMaxPaddingChunkBytes = 8 << 20;

class SegmentFile {
 public:
  virtual ~SegmentFile() = default;
  // Writes `n` bytes at Size() and advances it. On error the file is cut
  // back to its previous size (zero padding after it is dropped) and IoError
  // returned. If the cut fails too, part of a batch may remain: the file is
  // then Failed() and refuses every later Append, Truncate and Sync.
  // IoError naming the file after Release().
  virtual Status Append(const char* data, size_t n) = 0;
  // Reads up to `n` bytes at `pos`; returns the count (short only at EOF).
  virtual Result<size_t> ReadAt(uint64_t pos, size_t n, char* dst) const = 0;
  // Cuts the file to `size` bytes, zero padding included: afterwards the
  // physical and the logical size are both `size`. IoError after Release().
  virtual Status Truncate(uint64_t size) = 0;
  // Drops the zero padding (truncates the file to Size()) and stops
  // PrepareAhead for good: called when the segment is rolled or closed.
  virtual Status Seal() = 0;
  // Drops the zero padding like Seal() but keeps the file padding later
  // (an idle segment gives its space back; PrepareAhead pads it again once
  // it is written to). The cut is not synced. IoError after Release().
  virtual Status CutPadding() { return Status::Ok(); }
  // Makes appended bytes durable (fdatasync); a no-op in memory.
  virtual Status Sync() = 0;
  // If fewer than half a chunk of zero bytes lie ahead of Size(), writes the
  // next chunk of zeros after the physical end (1 MiB, growing with the file
  // to 8 MiB; never past `max_size` bytes in total) and fdatasyncs it. A
  // no-op in memory, after Seal(), and once an extension has failed (the
  // file then simply grows with each append). IoError if the extension fails;
  // a failed fdatasync is also returned by every later Sync(), since the
  // error may have been about data pages and the kernel reports it once.
  virtual Status PrepareAhead(uint64_t max_size) { return Status::Ok(); }
  // Closes the writable descriptor of a sealed, synced segment (a roll, or
  // an older segment at Open): afterwards reads open the file read-only on
  // demand, through the process-wide FdCache (fd_cache.h), and Sync() is a
  // no-op (the caller synced it before). Append and Truncate refuse with
  // IoError: the released descriptor's number is never used again, since the
  // kernel may meanwhile have given it to another file. Reads in flight keep
  // the descriptor they use open until they finish. A no-op in memory.
  virtual void Release() {}
  // True once a failed Append could not be cut back: the file may hold a
  // partial batch after Size(), and every later write or sync fails.
  virtual bool Failed() const { return false; }
  // Keeps the file readable, even if it is removed meanwhile, for as long as
  // the returned token is held (a read spanning many ReadAt calls takes one).
  // IoError if the file cannot be opened. Empty token in memory.
  virtual Result<std::shared_ptr<void>> Pin() const { return std::shared_ptr<void>(); }
  // Logical size: bytes of data, as seen by the writer.
  virtual uint64_t Size() const = 0;
  // Bytes written to the file, data and zero padding (== Size() in memory).
  virtual uint64_t PhysicalSize() const { return Size(); }
  // The file's path ("" in memory), for messages.
  virtual const std::string& path() const = 0;
};

// Opens (creating if missing) the segment file at `path` for reading and
// appending at its current end: at open, Size() is the file's size (recovery
// decides where the data ends and Truncate()s there). Every file operation
// goes through `env`, which must outlive the file. `hold_until_synced`: see
// "Descriptors" above (fsync mode).
Result<std::unique_ptr<SegmentFile>> OpenPosixSegmentFile(const std::string& path, Env* env = Env::Default(),
                                                          bool hold_until_synced = false);
// An empty segment kept in memory.
std::unique_ptr<SegmentFile> NewMemorySegmentFile();

}  // namespace sluice::storage
