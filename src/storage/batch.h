// Encoding and decoding of one record batch (format: log_format.h and
// docs/log-format.md). Pure functions over bytes: no files, no locks, no
// allocation except growing the caller's scratch buffer.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "storage/coding.h"
#include "storage/log_format.h"
#include "storage/shard_log.h"

namespace sluice::storage {

struct BatchHeader {
  uint32_t crc = 0;
  uint32_t length = 0;  // whole batch, header included
  uint64_t base_offset = 0;
  uint32_t record_count = 0;
  int64_t first_arrival_ms = 0;
  int64_t last_arrival_ms = 0;

  uint64_t end_offset() const { return base_offset + record_count; }
};

// Encodes `entries` as one batch, all with arrival time `arrival_ms`, into
// the first N bytes of `*scratch` and returns N. `*scratch` is grown when too
// small and never shrunk, so a reused scratch buffer costs no allocation.
size_t EncodeBatch(std::span<const AppendEntry> entries, uint64_t base_offset, int64_t arrival_ms,
                   std::string* scratch);

enum class HeaderParse {
  kOk,
  kNeedMore,  // fewer than kBatchHeaderSize bytes available
  kCorrupt,   // bad magic/version, or a length that cannot be right
};

// Parses the header at `p` given `available` readable bytes. Does not check
// the CRC (see BatchCrcMatches) nor that the whole batch is available.
HeaderParse ParseBatchHeader(const char* p, size_t available, BatchHeader* header);

// True when the CRC stored in the header matches bytes [8, length) of the
// batch at `batch`, which must hold header.length bytes.
bool BatchCrcMatches(const char* batch, const BatchHeader& header);

// Calls fn(offset, arrival_ms, key, data) -> bool (false stops early) for
// each record of the CRC-verified batch at `batch`. Views point into the
// batch. Returns false if the record area is malformed (a length runs past
// the batch, or the count disagrees with the header).
template <typename Fn>
bool ForEachRecord(const char* batch, const BatchHeader& header, Fn&& fn) {
  const char* p = batch + kBatchHeaderSize;
  const char* limit = batch + header.length;
  for (uint32_t i = 0; i < header.record_count; ++i) {
    uint64_t delta, key_len, data_len;
    p = coding::GetVarint64(p, limit, &delta);
    if (p == nullptr) return false;
    p = coding::GetVarint64(p, limit, &key_len);
    if (p == nullptr || key_len > static_cast<uint64_t>(limit - p)) return false;
    std::string_view key(p, key_len);
    p += key_len;
    p = coding::GetVarint64(p, limit, &data_len);
    if (p == nullptr || data_len > static_cast<uint64_t>(limit - p)) return false;
    std::string_view data(p, data_len);
    p += data_len;
    // Unsigned add: a corrupt-but-checksummed delta must not be undefined.
    int64_t arrival = static_cast<int64_t>(static_cast<uint64_t>(header.first_arrival_ms) +
                                           static_cast<uint64_t>(coding::ZigZagDecode(delta)));
    if (!fn(header.base_offset + i, arrival, key, data)) {
      return true;
    }
  }
  return p == limit;
}

}  // namespace sluice::storage
