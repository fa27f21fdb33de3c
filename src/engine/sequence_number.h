// Sequence numbers: the service's 56-digit decimal layout (version 2), with
// Sluice's meaning for the counter field.
//
// As 47 hex digits, most significant first (docs/engine-formats.md has the
// byte-by-byte description and a worked example):
//
//   2 | shard created (9 hex, epoch s) | shard index & 0xf (1) |
//   counter (16) | 00 (2) | record time (9 hex, epoch s) | shard index (8) | 2
//
// For a record the counter is its log offset + 1, so numbers are dense per
// shard and (shard, offset) is decoded in constant time. Counter 0 is the
// shard's StartingSequenceNumber; kEndingCounter with the close time is a
// closed shard's EndingSequenceNumber. Every value lies in
// [2^185, 2^185 + 2^184), so the decimal form always has exactly 56 digits
// and string order equals numeric order.
//
// Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/types.h"

namespace sluice::engine {

struct SequenceFields {
  int64_t shard_created_seconds = 0;  // < 2^36
  uint32_t shard_index = 0;           // < 2^31
  uint64_t counter = 0;               // < 2^63
  int64_t record_seconds = 0;         // < 2^36
};

// Counter of a closed shard's EndingSequenceNumber.
constexpr uint64_t kEndingCounter = 0x7fffffffffffffffull;
// Largest epoch-seconds value the 9-hex-digit time fields can hold.
constexpr int64_t kMaxSequenceSeconds = (int64_t{1} << 36) - 1;

// Formats `fields` as 56 decimal digits. Out-of-range fields are masked to
// their width (callers keep them in range). No allocation.
void FormatSequenceNumber(const SequenceFields& fields, SequenceDigits* out);
SequenceDigits FormatSequenceNumber(const SequenceFields& fields);
std::string SequenceNumberString(const SequenceFields& fields);

// Parses a decimal sequence number in O(1). Returns nullopt unless it is
// exactly 56 ASCII digits encoding a version-2 number Sluice could have
// issued (leading and trailing nibble 2, `00` byte, counter < 2^63, index
// nibble consistent with the shard index). Callers turn nullopt into the
// operation's own "... is invalid." message.
std::optional<SequenceFields> ParseSequenceNumber(std::string_view digits);

// The StartingSequenceNumber of a shard: counter 0, record time = creation.
SequenceDigits StartingSequenceNumber(int64_t shard_created_seconds, uint32_t shard_index);
// The EndingSequenceNumber of a shard closed at `close_seconds`.
SequenceDigits EndingSequenceNumber(int64_t shard_created_seconds, uint32_t shard_index, int64_t close_seconds);

}  // namespace sluice::engine
