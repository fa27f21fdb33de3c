// Segment: one segment file of a shard log plus its in-memory state (end
// offset, size, arrival times) and its sparse SegmentIndex.
//
// Lifecycle: created by the log (new, or found on disk at Open), shared via
// shared_ptr with readers so a trimmed segment stays readable until the last
// reader lets go; its file is closed when the last reference drops. Once
// sealed (rolled, or older than the last at Open) its file holds no
// descriptor of its own: reads open it on demand (SegmentFile::Release).
// Threading: the mutable fields are guarded by the owning log's lock;
// base_offset and the file pointer never change.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "storage/batch.h"
#include "storage/env.h"
#include "storage/segment_file.h"
#include "storage/segment_index.h"
#include "util/status.h"

namespace sluice::storage {

// "<dir>/<base offset, 20 digits>" : segment files are this plus a suffix.
std::string SegmentStem(const std::string& dir, uint64_t base_offset);
// Parses "<20 digits>.log"; false for any other name.
bool ParseSegmentFileName(std::string_view name, uint64_t* base_offset);

struct Segment {
  // `stem` is SegmentStem(dir, base), or "" for a memory segment. The index
  // files are read, written and removed through `env`, which must outlive
  // the segment.
  Segment(uint64_t base, std::string stem, std::unique_ptr<SegmentFile> f, Env* env)
      : base_offset(base), end_offset(base), path_stem(std::move(stem)), file(std::move(f)), env_(env) {}

  // Appends the encoded batch `data` (`header` is its decoded header) and
  // updates state and index. On error nothing changes (the file is cut back).
  Status Append(const char* data, size_t n, const BatchHeader& header, uint32_t index_interval);
  // Accounts for a valid batch already in the file at `position` (recovery).
  void NoteBatch(const BatchHeader& header, uint64_t position, uint32_t index_interval);

  SegmentSummary Summary() const;
  // Writes the `.index` and `.timeindex` files (not synced: they can always
  // be rebuilt from the segment). No-op in memory.
  Status SaveIndex();
  // Loads both index files and adopts them if valid; returns the summary
  // they claim. Corruption/NotFound when they are unusable.
  Result<SegmentSummary> LoadIndex();
  // Removes the segment's three files (in memory: nothing).
  Status RemoveFiles() const;

  const uint64_t base_offset;
  uint64_t end_offset;           // offset after the last record
  uint64_t size = 0;             // bytes of whole batches (published logical size)
  int64_t first_arrival_ms = 0;  // of the first batch; 0 when empty
  int64_t max_arrival_ms = 0;    // largest arrival; 0 when empty
  SegmentIndex index;
  bool index_saved = false;  // the index files match the state
  const std::string path_stem;
  const std::unique_ptr<SegmentFile> file;

 private:
  Env* const env_;
};

}  // namespace sluice::storage
