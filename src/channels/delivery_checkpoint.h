// A channel's delivery progress: per source shard, the last record whose
// object is stored, and whether the shard is closed and delivered to its
// end. One document per channel, <data-dir>/channel-delivery/<ChannelId>,
// saved whole through a storage::MetadataStore (atomic replace, CRC32C,
// fsync of file and directory) after each object is stored and before the
// next batch starts, so at most one batch's object (and its dead letters)
// lies beyond the checkpoint, and it is the one the next batch (same first
// record, same key) overwrites.
//
// Payload (big-endian, strings as u32 length + bytes; docs/channels.md,
// "The delivery checkpoint"): u8 version (1), u32 shard count, then per
// shard: stream ARN, i64 stream creation ms, shard id, u8 finished (0/1),
// u8 has-sequence (0/1) then the last delivered sequence number when 1.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "util/status.h"

namespace sluice::channels {

inline constexpr uint8_t kDeliveryCheckpointVersion = 1;

// A shard of one incarnation of a stream: stream ARN, stream creation ms, shard id.
using ShardKey = std::tuple<std::string, int64_t, std::string>;

struct ShardProgress {
  std::optional<std::string> last_sequence_number;  // none delivered yet
  bool finished = false;                            // closed, delivered to its end
};

using DeliveryCheckpoint = std::map<ShardKey, ShardProgress>;

// <data_dir>/channel-delivery
std::string DeliveryCheckpointDir(const std::string& data_dir);

std::string EncodeDeliveryCheckpoint(const DeliveryCheckpoint& checkpoint);
// Corruption for an unknown version, a truncated document or trailing bytes.
Result<DeliveryCheckpoint> DecodeDeliveryCheckpoint(std::string_view bytes);

}  // namespace sluice::channels
