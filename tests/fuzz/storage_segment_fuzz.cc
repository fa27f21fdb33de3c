// Feeds arbitrary bytes to the storage read paths as if they were a segment
// file: the batch scanner (recovery), the record reader (Read) and the time
// lookup must reject garbage with a status, never crash or over-read, and the
// scanner must report padding only where the bytes are zero.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "storage/batch_scanner.h"
#include "storage/coding.h"
#include "storage/log_format.h"
#include "storage/segment_file.h"
#include "storage/segment_reader.h"
#include "util/crc32c.h"

using namespace sluice::storage;

namespace {

// Rewrites the CRC of every batch whose length fits, so the fuzzer reaches
// the record decoder instead of stopping at checksum mismatches.
void FixCrcs(std::string* bytes) {
  size_t pos = 0;
  while (bytes->size() - pos >= kBatchHeaderSize) {
    char* p = bytes->data() + pos;
    uint32_t length = coding::GetFixed32(p + kBatchLengthOffset);
    if (length < kBatchHeaderSize || length > bytes->size() - pos) return;
    coding::PutFixed32(p + kBatchCrcOffset,
                       sluice::crc32c::Value(p + kBatchCrcCoverageStart, length - kBatchCrcCoverageStart));
    pos += length;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the mode: odd = checksums fixed up.
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) FixCrcs(&bytes);
  size = bytes.size();
  auto file = NewMemorySegmentFile();
  if (!file->Append(bytes.data(), bytes.size()).ok()) return 0;

  BatchScanner scanner(*file, 0, size);
  uint64_t batches = 0;
  BatchScanner::Outcome outcome;
  while ((outcome = scanner.Next()) == BatchScanner::Outcome::kBatch) {
    const BatchHeader& h = scanner.header();
    ForEachRecord(scanner.batch(), h, [](uint64_t, int64_t, std::string_view k, std::string_view d) {
      volatile size_t sink = k.size() + d.size();
      (void)sink;
      return true;
    });
    ++batches;
  }
  if (outcome == BatchScanner::Outcome::kPadding) {
    // Padding is only ever reported for zero bytes where a header would be.
    uint64_t pos = scanner.position();
    size_t n = static_cast<size_t>(std::min<uint64_t>(kBatchHeaderSize, size - pos));
    if (n == 0 || !IsAllZero(bytes.data() + pos, n)) __builtin_trap();
  }

  ReadBudget budget{100, 1 << 20};
  ReadResult result;
  uint64_t next_offset = 0;
  (void)ReadSegmentRecords(*file, 0, size, 0, &budget, &result, &next_offset);
  for (const StoredRecord& r : result.records) {
    // Views must lie inside the buffer.
    if (r.data.data() < result.buffer.data() ||
        r.data.data() + r.data.size() > result.buffer.data() + result.buffer.size()) {
      __builtin_trap();
    }
  }
  (void)FindOffsetForTime(*file, 0, size, 0);
  return 0;
}
