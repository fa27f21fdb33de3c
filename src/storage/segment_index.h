// SegmentIndex: the sparse offset and time index of one segment, kept in
// memory and saved beside the segment as `.index` and `.timeindex` files
// (format: log_format.h, docs/log-format.md).
//
// An entry is taken at the start of a batch: the first batch of the segment,
// then the first batch starting at least `interval` bytes after the previous
// entry. Each entry records the batch's base offset, its file position, and
// the largest arrival time of all records before it in the segment
// (max_arrival_before_ms; INT64_MIN for the first), so both lookups land on a
// batch boundary from which a reader scans forward.
//
// Threading: not synchronized; the owning log guards it with its lock.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace sluice::storage {

struct IndexEntry {
  uint64_t offset = 0;
  uint64_t position = 0;
  int64_t max_arrival_before_ms = std::numeric_limits<int64_t>::min();
};

// What an index file says about the segment it describes.
struct SegmentSummary {
  uint64_t segment_bytes = 0;  // logical size of the segment the index covers
  uint64_t end_offset = 0;     // offset after the segment's last record
  int64_t first_arrival_ms = 0;
  int64_t max_arrival_ms = 0;  // 0 for an empty segment
};

class SegmentIndex {
 public:
  // Notes a batch starting at `position` with `base_offset`; adds an entry if
  // it is the first batch or lies `interval` bytes past the last entry.
  void OnBatch(uint64_t base_offset, uint64_t position, int64_t max_arrival_before_ms, uint32_t interval);

  // The last entry whose offset is <= `offset`; {0,0,min} when empty.
  IndexEntry FloorOffset(uint64_t offset) const;
  // The last entry whose max_arrival_before_ms < `timestamp_ms` (the first
  // record at or after the timestamp is at or after it), and via *next_offset
  // the offset of the entry after it (UINT64_MAX if none): the answer lies
  // before that offset. Returns {0,0,min} when empty.
  IndexEntry FloorTime(int64_t timestamp_ms, uint64_t* next_offset) const;

  // Removes and returns the last entry (the index must not be empty): the
  // batch it marks is then re-noted by a scan from its position.
  IndexEntry PopLast();

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }
  const std::vector<IndexEntry>& entries() const { return entries_; }

  // File images of the two index files.
  std::string EncodeOffsetFile(const SegmentSummary& summary) const;
  std::string EncodeTimeFile(const SegmentSummary& summary) const;

  // Rebuilds an index from the two file images. Corruption if either fails
  // its checksum, or they disagree with each other.
  static Result<SegmentIndex> Decode(std::string_view offset_file, std::string_view time_file, SegmentSummary* summary);

 private:
  std::vector<IndexEntry> entries_;
};

}  // namespace sluice::storage
