// Byte-level constants of the shard log. The format is documented byte by
// byte in docs/log-format.md; change both (and the version) together.
//
// All integers are little-endian. A segment file is a sequence of batches,
// then possibly zero bytes (fsync mode pads ahead of the data; the data ends
// at the first all-zero header):
//
//   segment := batch* 00*
//   batch   := header record*
//   header  := magic[3] "SLB" | version u8 | crc u32 | length u32 |
//              base_offset u64 | record_count u32 |
//              first_arrival_ms i64 | last_arrival_ms i64        (40 bytes)
//   record  := arrival_delta varint(zigzag) | key_length varint | key bytes |
//              data_length varint | data bytes
//
// `crc` is CRC32C of bytes [8, length): everything after the crc field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::storage {

// ---- Batches -------------------------------------------------------------
inline constexpr char kBatchMagic[3] = {'S', 'L', 'B'};
inline constexpr uint8_t kBatchFormatVersion = 1;

inline constexpr size_t kBatchMagicOffset = 0;          // 3 bytes
inline constexpr size_t kBatchVersionOffset = 3;        // u8
inline constexpr size_t kBatchCrcOffset = 4;            // u32
inline constexpr size_t kBatchLengthOffset = 8;         // u32, whole batch
inline constexpr size_t kBatchBaseOffsetOffset = 12;    // u64
inline constexpr size_t kBatchCountOffset = 20;         // u32
inline constexpr size_t kBatchFirstArrivalOffset = 24;  // i64
inline constexpr size_t kBatchLastArrivalOffset = 32;   // i64
inline constexpr size_t kBatchHeaderSize = 40;
// The CRC covers everything after the crc field.
inline constexpr size_t kBatchCrcCoverageStart = kBatchLengthOffset;

// Largest batch accepted when reading; guards against a corrupt length field
// making a reader allocate gigabytes. PutRecords is capped far below this.
inline constexpr uint32_t kMaxBatchBytes = 256u << 20;
// Longest varint we write (u64 → 10 bytes).
inline constexpr size_t kMaxVarintBytes = 10;

// ---- Segment and index files ----------------------------------------------
// File names: the segment's base offset as 20 zero-padded decimal digits.
inline constexpr std::string_view kSegmentSuffix = ".log";
inline constexpr std::string_view kOffsetIndexSuffix = ".index";
inline constexpr std::string_view kTimeIndexSuffix = ".timeindex";
inline constexpr size_t kSegmentNameDigits = 20;
// ShardLog::ResetTo's intent while it runs: a metadata document (see
// metadata_store.h) whose payload is the new start offset, u64.
inline constexpr std::string_view kResetFileName = "reset";

//   index_file := magic[3] | version u8 | crc u32 | entry_count u32 |
//                 reserved u32 | segment_bytes u64 | end_offset u64 |
//                 first_arrival_ms i64 | max_arrival_ms i64 | entry*
//   .index entry     := offset u64 | position u64
//   .timeindex entry := max_arrival_before_ms i64 | offset u64
// `crc` is CRC32C of bytes [8, file end).
inline constexpr char kOffsetIndexMagic[3] = {'S', 'L', 'X'};
inline constexpr char kTimeIndexMagic[3] = {'S', 'L', 'T'};
inline constexpr uint8_t kIndexFormatVersion = 1;
inline constexpr size_t kIndexHeaderSize = 48;
inline constexpr size_t kIndexEntrySize = 16;

// ---- Metadata file ---------------------------------------------------------
//   metadata := magic "SLMD" | version u32 | crc u32 (of payload) |
//               payload_length u64 | payload
inline constexpr char kMetadataMagic[4] = {'S', 'L', 'M', 'D'};
inline constexpr uint32_t kMetadataFormatVersion = 1;
inline constexpr size_t kMetadataHeaderSize = 20;

}  // namespace sluice::storage
