// SegmentFile: the bytes of one segment, on disk (PosixSegmentFile) or in
// memory (MemorySegmentFile, for Durability::kMemory).
//
// Threading: Append/Truncate/Sync are called by one writer at a time (the
// owning log's append lock); ReadAt may run concurrently with Append from any
// thread, for positions below a size the writer has already published.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "util/status.h"

namespace sluice::storage {

class SegmentFile {
 public:
  virtual ~SegmentFile() = default;
  // Appends `n` bytes at the end. On error the file is cut back to its
  // previous size (best effort) and IoError returned.
  virtual Status Append(const char* data, size_t n) = 0;
  // Reads up to `n` bytes at `pos`; returns the count (short only at EOF).
  virtual Result<size_t> ReadAt(uint64_t pos, size_t n, char* dst) const = 0;
  // Cuts the file to `size` bytes.
  virtual Status Truncate(uint64_t size) = 0;
  // Makes appended bytes durable (fdatasync); a no-op in memory.
  virtual Status Sync() = 0;
  // Current size in bytes, as seen by the writer.
  virtual uint64_t Size() const = 0;
  // The file's path ("" in memory), for messages.
  virtual const std::string& path() const = 0;
};

// Opens (creating if missing) the segment file at `path` for reading and
// appending at its current end.
Result<std::unique_ptr<SegmentFile>> OpenPosixSegmentFile(const std::string& path);
// An empty segment kept in memory.
std::unique_ptr<SegmentFile> NewMemorySegmentFile();

}  // namespace sluice::storage
