// Opaque NextToken values of the list operations.
//
// A token is standard base64 of these bytes:
//
//   tag (1 byte: 'S' ListShards, 'N' ListStreams, 'C' ListStreamConsumers, 'H' ListChannels)
//   fields, in the order of the structs below: integers as 8-byte
//     little-endian two's complement, strings as an 8-byte length then bytes
//     (ListShards: account, region, stream name, has-creation flag, creation
//     ms, filter type, filter shard id, filter timestamp ms, last shard id,
//     issue ms; ListStreams: last stream name, issue ms; ListStreamConsumers:
//     account, region, stream name, has-creation flag, creation ms, last
//     consumer's creation ms, last consumer's name, issue ms; ListChannels: last channel name, issue ms)
//   CRC32C of everything before it (4 bytes, little-endian)
//
// Tokens carry everything needed to continue (for ListShards: the stream,
// the filter and the last shard returned) and their issue time; they expire
// after kNextTokenTtlMs, as the service's do. They are not signed: a client
// that forges one can only list what it could list anyway.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/types.h"
#include "util/status.h"

namespace sluice::api {

inline constexpr int64_t kNextTokenTtlMs = 300 * 1000;

struct ListShardsToken {
  engine::StreamRef stream;
  std::optional<int64_t> stream_creation_ms;
  engine::ShardFilter filter;
  std::string last_shard_id;  // continue after this shard
  int64_t issued_ms = 0;
};

struct ListStreamsToken {
  std::string last_stream_name;  // continue after this stream
  int64_t issued_ms = 0;
};

// Consumers are listed by (creation ms, name); the token continues after
// the last one returned.
struct ListStreamConsumersToken {
  engine::StreamRef stream;
  std::optional<int64_t> stream_creation_ms;
  int64_t last_creation_ms = 0;
  std::string last_consumer_name;
  int64_t issued_ms = 0;
};

// ListChannels: channels are listed by name; the token continues after the
// last one returned.
struct ListChannelsToken {
  std::string last_channel_name;
  int64_t issued_ms = 0;
};

std::string EncodeListChannelsToken(const ListChannelsToken& token);
Result<ListChannelsToken> DecodeListChannelsToken(std::string_view token, int64_t now_ms);

std::string EncodeListStreamConsumersToken(const ListStreamConsumersToken& token);
Result<ListStreamConsumersToken> DecodeListStreamConsumersToken(std::string_view token, int64_t now_ms);

std::string EncodeListShardsToken(const ListShardsToken& token);
std::string EncodeListStreamsToken(const ListStreamsToken& token);

// Decode a token given the current time. Errors:
//   InvalidArgumentException  "Invalid NextToken." (malformed, tampered)
//   ExpiredNextTokenException "The NextToken has expired. A NextToken is valid for 300 seconds."
Result<ListShardsToken> DecodeListShardsToken(std::string_view token, int64_t now_ms);
Result<ListStreamsToken> DecodeListStreamsToken(std::string_view token, int64_t now_ms);

}  // namespace sluice::api
