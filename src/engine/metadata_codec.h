// The engine's metadata document: every stream's StreamMeta, encoded as a
// compact big-endian binary payload (byte layout in docs/engine-formats.md,
// "Metadata document"). storage::MetadataStore adds the checksummed envelope
// and atomic replacement; this codec only turns values into bytes and back.
//
// Each stream is a length-prefixed record, so later versions may append
// fields to a record and older readers skip what they do not know.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/stream_meta.h"
#include "util/status.h"

namespace sluice::engine {

constexpr uint8_t kMetadataFormatVersion = 1;

std::string EncodeMetadata(const std::vector<StreamMeta>& streams);
// The same document from records EncodeStreamRecord made.
std::string EncodeMetadataRecords(const std::vector<const std::string*>& records);

// One stream's record, as the document and the metadata journal hold it.
std::string EncodeStreamRecord(const StreamMeta& stream);
// Corruption when truncated or out of range.
Result<StreamMeta> DecodeStreamRecord(std::string_view record);

// Corruption when the payload is truncated, has an unknown version, or
// holds out-of-range values.
Result<std::vector<StreamMeta>> DecodeMetadata(std::string_view payload);

}  // namespace sluice::engine
