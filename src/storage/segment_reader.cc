#include "storage/segment_reader.h"

#include <algorithm>
#include <string>

#include "storage/batch.h"
#include "storage/batch_scanner.h"

namespace sluice::storage {
namespace {

constexpr size_t kMinChunkBytes = 16 << 10;
constexpr size_t kMaxChunkBytes = 8 << 20;

// Grows out->buffer by `n` bytes, keeping existing record views valid.
char* GrowBuffer(ReadResult* out, size_t n) {
  std::string& buf = out->buffer;
  size_t old_size = buf.size();
  if (old_size + n > buf.capacity()) {
    const char* old_data = buf.data();
    buf.reserve(std::max(old_size + n, buf.capacity() * 2));
    if (buf.data() != old_data && !out->records.empty()) {
      const char* new_data = buf.data();
      for (StoredRecord& r : out->records) {
        r.partition_key = {new_data + (r.partition_key.data() - old_data), r.partition_key.size()};
        r.data = {new_data + (r.data.data() - old_data), r.data.size()};
      }
    }
  }
  buf.resize(old_size + n);
  return buf.data() + old_size;
}

Status CorruptAt(const SegmentFile& file, uint64_t position, std::string_view what) {
  return Status::Corruption(std::string(what) + " in " + file.path() + " at position " + std::to_string(position));
}

}  // namespace

Status ReadSegmentRecords(const SegmentFile& file, uint64_t position, uint64_t limit, uint64_t from, ReadBudget* budget,
                          ReadResult* out, uint64_t* next_offset) {
  // buffer[parse] holds the file byte at `position`; bytes up to buffer.size()
  // are loaded, corresponding to file bytes up to read_pos.
  size_t parse = out->buffer.size();
  uint64_t read_pos = position;
  // First read sized for the records wanted (~160 bytes each), then doubling.
  size_t chunk = std::clamp<size_t>(std::min<size_t>(budget->max_records, 1 << 16) * 160, kMinChunkBytes, 1 << 20);

  auto fill = [&](size_t need) -> Status {
    size_t want = std::max(need, chunk);
    want = static_cast<size_t>(std::min<uint64_t>(want, limit - read_pos));
    char* dst = GrowBuffer(out, want);
    SLUICE_ASSIGN_OR_RETURN(size_t got, file.ReadAt(read_pos, want, dst));
    if (got < want) return CorruptAt(file, read_pos + got, "segment ends early");
    read_pos += want;
    chunk = std::min(chunk * 2, kMaxChunkBytes);
    return Status::Ok();
  };

  while (position < limit) {
    size_t available = out->buffer.size() - parse;
    if (available < kBatchHeaderSize) {
      if (limit - position < kBatchHeaderSize) return CorruptAt(file, position, "torn batch");
      SLUICE_RETURN_IF_ERROR(fill(kBatchHeaderSize - available));
      continue;
    }
    BatchHeader header;
    if (ParseBatchHeader(out->buffer.data() + parse, available, &header) != HeaderParse::kOk ||
        header.length > limit - position) {
      return CorruptAt(file, position, "bad batch header");
    }
    if (header.base_offset != *next_offset) {
      return CorruptAt(file, position,
                       "batch of offset " + std::to_string(header.base_offset) + " where offset " +
                           std::to_string(*next_offset) + " belongs");
    }
    if (available < header.length) {
      SLUICE_RETURN_IF_ERROR(fill(header.length - available));
      continue;
    }
    if (header.end_offset() > from) {
      const char* batch = out->buffer.data() + parse;
      if (!BatchCrcMatches(batch, header)) return CorruptAt(file, position, "checksum mismatch");
      size_t first_new = out->records.size();
      bool well_formed = ForEachRecord(
          batch, header, [&](uint64_t offset, int64_t arrival, std::string_view key, std::string_view data) {
            if (offset < from) return true;
            size_t bytes = key.size() + data.size();
            if (out->records.size() >= budget->max_records ||
                (!out->records.empty() && budget->bytes + bytes > budget->max_bytes)) {
              budget->exhausted = true;
              return false;
            }
            budget->bytes += bytes;
            out->records.push_back(StoredRecord{offset, arrival, key, data});
            return true;
          });
      if (!well_formed) {
        out->records.resize(first_new);
        return CorruptAt(file, position, "malformed records");
      }
      if (budget->exhausted) return Status::Ok();
    }
    *next_offset = header.end_offset();
    parse += header.length;
    position += header.length;
  }
  return Status::Ok();
}

Result<uint64_t> FindOffsetForTime(const SegmentFile& file, uint64_t position, uint64_t limit, int64_t timestamp_ms) {
  // Usually the answer is in the first batch or two: start with a small read.
  BatchScanner scanner(file, position, limit, /*first_chunk=*/64 << 10);
  while (true) {
    switch (scanner.Next()) {
      case BatchScanner::Outcome::kBatch: break;
      case BatchScanner::Outcome::kEnd: return UINT64_MAX;
      case BatchScanner::Outcome::kIoError: return scanner.error();
      case BatchScanner::Outcome::kPadding:  // `limit` is the end of the data
      case BatchScanner::Outcome::kTorn:
      case BatchScanner::Outcome::kCorrupt: return CorruptAt(file, scanner.position(), "bad batch");
    }
    const BatchHeader& h = scanner.header();
    uint64_t found = UINT64_MAX;
    bool ok =
        ForEachRecord(scanner.batch(), h, [&](uint64_t offset, int64_t arrival, std::string_view, std::string_view) {
          if (arrival >= timestamp_ms) {
            found = offset;
            return false;
          }
          return true;
        });
    if (!ok) return CorruptAt(file, scanner.position(), "malformed records");
    if (found != UINT64_MAX) return found;
  }
}

}  // namespace sluice::storage
