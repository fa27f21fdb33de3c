#include "storage/batch.h"

#include <cstring>

#include "util/crc32c.h"

namespace sluice::storage {
namespace {

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

size_t EncodeBatch(std::span<const AppendEntry> entries, uint64_t base_offset, int64_t arrival_ms,
                   std::string* scratch) {
  // Exact size first, so the buffer is sized once and never zero-filled
  // again once it has grown to the working-set size.
  size_t length = kBatchHeaderSize;
  for (const AppendEntry& e : entries) {
    length += 1 /* zigzag(0) */ + VarintLength(e.partition_key.size()) + e.partition_key.size() +
              VarintLength(e.data.size()) + e.data.size();
  }
  if (scratch->size() < length) scratch->resize(length);
  char* base = scratch->data();

  std::memcpy(base + kBatchMagicOffset, kBatchMagic, sizeof(kBatchMagic));
  base[kBatchVersionOffset] = static_cast<char>(kBatchFormatVersion);
  coding::PutFixed32(base + kBatchLengthOffset, static_cast<uint32_t>(length));
  coding::PutFixed64(base + kBatchBaseOffsetOffset, base_offset);
  coding::PutFixed32(base + kBatchCountOffset, static_cast<uint32_t>(entries.size()));
  coding::PutFixed64(base + kBatchFirstArrivalOffset, static_cast<uint64_t>(arrival_ms));
  coding::PutFixed64(base + kBatchLastArrivalOffset, static_cast<uint64_t>(arrival_ms));

  char* p = base + kBatchHeaderSize;
  for (const AppendEntry& e : entries) {
    *p++ = 0;  // arrival delta: every record of an Append shares one time
    p = coding::PutVarint64(p, e.partition_key.size());
    std::memcpy(p, e.partition_key.data(), e.partition_key.size());
    p += e.partition_key.size();
    p = coding::PutVarint64(p, e.data.size());
    std::memcpy(p, e.data.data(), e.data.size());
    p += e.data.size();
  }
  uint32_t crc = crc32c::Value(base + kBatchCrcCoverageStart, length - kBatchCrcCoverageStart);
  coding::PutFixed32(base + kBatchCrcOffset, crc);
  return length;
}

HeaderParse ParseBatchHeader(const char* p, size_t available, BatchHeader* header) {
  if (available < kBatchHeaderSize) return HeaderParse::kNeedMore;
  if (std::memcmp(p + kBatchMagicOffset, kBatchMagic, sizeof(kBatchMagic)) != 0 ||
      static_cast<uint8_t>(p[kBatchVersionOffset]) != kBatchFormatVersion) {
    return HeaderParse::kCorrupt;
  }
  header->crc = coding::GetFixed32(p + kBatchCrcOffset);
  header->length = coding::GetFixed32(p + kBatchLengthOffset);
  header->base_offset = coding::GetFixed64(p + kBatchBaseOffsetOffset);
  header->record_count = coding::GetFixed32(p + kBatchCountOffset);
  header->first_arrival_ms = static_cast<int64_t>(coding::GetFixed64(p + kBatchFirstArrivalOffset));
  header->last_arrival_ms = static_cast<int64_t>(coding::GetFixed64(p + kBatchLastArrivalOffset));
  // Each record takes at least three bytes (three one-byte varints).
  if (header->length < kBatchHeaderSize || header->length > kMaxBatchBytes || header->record_count == 0 ||
      header->record_count > (header->length - kBatchHeaderSize) / 3) {
    return HeaderParse::kCorrupt;
  }
  return HeaderParse::kOk;
}

bool BatchCrcMatches(const char* batch, const BatchHeader& header) {
  return crc32c::Value(batch + kBatchCrcCoverageStart, header.length - kBatchCrcCoverageStart) == header.crc;
}

}  // namespace sluice::storage
