// The peer protocol's bytes: FetchRequest and FetchResponse (peer_messages.h)
// to and from their wire encoding. Layout, limits and a worked example:
// docs/cluster-protocol.md. Pure functions over bytes: no I/O, no locks.
//
// Decoders take arbitrary bytes (a peer's body, fuzz input): they read only
// inside `bytes`, allocate at most what the bytes themselves announce within
// the limits below, and return a Status naming the first thing wrong:
//   InvalidArgument  the bytes are well formed but not acceptable: another
//                    protocol version or message kind, a value out of range
//                    (durable_end past fetch_offset, a name too long, an
//                    unknown error code)
//   Corruption       the bytes are not a message: truncated, trailing bytes,
//                    a length running past the end, a records checksum that
//                    does not match, records that are not contiguous
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cluster/peer_messages.h"
#include "util/status.h"

namespace sluice::cluster {

// Message kinds (the second field of every message).
inline constexpr uint16_t kFetchRequestKind = 1;
inline constexpr uint16_t kFetchResponseKind = 2;
inline constexpr uint16_t kPutToShardRequestKind = 3;
inline constexpr uint16_t kPutToShardResponseKind = 4;

// Limits a decoder enforces (docs/cluster-protocol.md, "Limits").
inline constexpr size_t kMaxPeerNameBytes = 256;                // each string of a FetchRequest
inline constexpr size_t kMaxPeerErrorMessageBytes = 4096;       // FetchResponse::message
inline constexpr uint32_t kMaxFetchMaxBytes = 16u << 20;        // FetchRequest::max_bytes
inline constexpr uint32_t kMaxFetchWaitMs = 60'000;             // FetchRequest::max_wait_ms
inline constexpr size_t kMaxFetchRecordsBytes = 64u << 20;      // a FetchResponse's records section
inline constexpr size_t kMaxPutToShardRecords = 500;            // a PutRecords' records
inline constexpr size_t kMaxPutToShardRecordBytes = 10u << 20;  // each record's key and data
// Bytes a record takes in the records section besides its key and data: a
// leader budgeting an answer adds this per record.
inline constexpr size_t kFetchRecordOverheadBytes = 32;

// The protocol version a message claims (its first two bytes), so that a
// node can answer a version it does not speak with kUnsupportedVersion;
// Corruption when fewer than two bytes.
Result<uint16_t> PeerMessageVersion(std::string_view bytes);

std::string EncodeFetchRequest(const FetchRequest& request);
Result<FetchRequest> DecodeFetchRequest(std::string_view bytes);

// The caller keeps the records within kMaxFetchRecordsBytes (the decoder
// rejects more) and, with diverging_end set, sends none.
std::string EncodeFetchResponse(const FetchResponse& response);
Result<FetchResponse> DecodeFetchResponse(std::string_view bytes);

std::string EncodePutToShardRequest(const PutToShardRequest& request);
Result<PutToShardRequest> DecodePutToShardRequest(std::string_view bytes);
std::string EncodePutToShardResponse(const PutToShardResponse& response);
Result<PutToShardResponse> DecodePutToShardResponse(std::string_view bytes);

}  // namespace sluice::cluster
