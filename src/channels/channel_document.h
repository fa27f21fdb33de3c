// The channel document: every channel of every namespace, saved whole
// through a storage::MetadataStore (atomic replace, checksummed) at
// <data-dir>/channels. Byte format in docs/channels.md ("Channel document"):
// big-endian fields (engine/byte_fields.h), a version byte, then a u32 count
// of channels, each with its members in the order of struct Channel.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "channels/channel.h"
#include "util/status.h"

namespace sluice::channels {

inline constexpr uint8_t kChannelDocumentVersion = 1;

std::string EncodeChannelDocument(const std::vector<Channel>& channels);
// Corruption for an unknown version, a truncated document, an out-of-range
// enum, or trailing bytes.
Result<std::vector<Channel>> DecodeChannelDocument(std::string_view bytes);

}  // namespace sluice::channels
