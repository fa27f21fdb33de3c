// BatchScanner: walks the batches of a segment file from a batch boundary,
// reading in large chunks and verifying each batch's CRC. Used by recovery
// (to validate a tail or rebuild an index) and by time lookups; the hot read
// path has its own copy-once loop (segment_reader.h).
//
// Threading: one thread per scanner; the file may be appended to
// concurrently as long as `limit` is a size already published.
#pragma once

#include <cstdint>
#include <string>

#include "storage/batch.h"
#include "storage/segment_file.h"
#include "util/status.h"

namespace sluice::storage {

// True when the `n` bytes at `p` are all zero.
bool IsAllZero(const char* p, size_t n);

class BatchScanner {
 public:
  enum class Outcome {
    kBatch,    // a whole, checksum-valid batch: see header(), batch(), position()
    kEnd,      // reached `limit` exactly on a batch boundary
    kPadding,  // zero bytes where a header would start: the end of the data
               // in a padded segment (the bytes after it are not checked)
    kTorn,     // the last batch runs past `limit` (a short write)
    kCorrupt,  // bad magic/version/length or CRC mismatch at position()
    kIoError,  // see error()
  };

  // Scans [start, limit) of `file`, which must outlive the scanner. Reads
  // `first_chunk` bytes first (less for a short lookup), doubling up to 1 MiB.
  BatchScanner(const SegmentFile& file, uint64_t start, uint64_t limit, size_t first_chunk = kMaxChunkBytes);

  static constexpr size_t kMaxChunkBytes = 1 << 20;

  Outcome Next();

  const BatchHeader& header() const { return header_; }
  // The current batch's bytes (header.length of them), valid until Next().
  const char* batch() const { return buf_.data() + begin_; }
  // File position of the current batch (or of the bad/torn one).
  uint64_t position() const { return position_; }
  const Status& error() const { return error_; }

 private:
  // Makes at least `n` bytes available from begin_; false at limit or error.
  bool Fill(size_t n);

  const SegmentFile& file_;
  const uint64_t limit_;
  uint64_t position_;        // file position of buf_[begin_]
  uint64_t read_pos_;        // next file position to read
  size_t begin_ = 0;         // start of unconsumed bytes in buf_
  size_t end_ = 0;           // end of valid bytes in buf_
  size_t pending_skip_ = 0;  // length of the batch returned last
  size_t chunk_;             // next read size
  std::string buf_;
  BatchHeader header_;
  Status error_;
};

}  // namespace sluice::storage
