// The read path of a segment: copy batches once from the file into
// ReadResult::buffer, verify each batch's CRC, and add views of its records.
//
// Threading: safe concurrently with appends as long as `limit` is a size the
// writer has already published (whole batches only below it).
#pragma once

#include <cstdint>

#include "storage/segment_file.h"
#include "storage/shard_log.h"
#include "util/status.h"

namespace sluice::storage {

struct ReadBudget {
  size_t max_records = 0;
  size_t max_bytes = 0;  // of partition key + data bytes
  size_t bytes = 0;      // used so far
  bool exhausted = false;
};

// Appends to `out` the records with offset >= `from` found in the batches of
// `file` between `position` (a batch boundary at or before `from`) and
// `limit`, until the budget is exhausted. Records from earlier calls stay
// valid (their views are moved if the buffer grows). Returns Corruption
// (naming file and position) for a batch that fails its checks; no record of
// that batch is added.
// Offsets are checked, not trusted: on entry *next_offset is the offset the
// batch at `position` must start at, and each batch must start where the one
// before it ended (a batch elsewhere, e.g. from a segment file copied over
// another, is Corruption). On return it is the offset after the last batch
// read (when the budget was not exhausted: the end of the data up to `limit`).
Status ReadSegmentRecords(const SegmentFile& file, uint64_t position, uint64_t limit, uint64_t from, ReadBudget* budget,
                          ReadResult* out, uint64_t* next_offset);

// Finds the first record at or after `timestamp_ms` among the batches of
// `file` in [position, limit). Returns its offset, or UINT64_MAX if none.
Result<uint64_t> FindOffsetForTime(const SegmentFile& file, uint64_t position, uint64_t limit, int64_t timestamp_ms);

}  // namespace sluice::storage
