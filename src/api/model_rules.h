// Constraints of the Kinesis API model shared by several operations:
// patterns (hand-written matchers, anchored like the service's) and the
// checks of the members that recur (StreamName, StreamARN, ShardId, ...).
// Each Check* adds entries to `errors` in the service's per-member order:
// pattern before length.
#pragma once

#include <optional>
#include <string_view>

#include "protocol/validation.h"

namespace sluice::api {

// [a-zA-Z0-9_.-]+  (StreamName, ShardId, ConsumerName)
bool MatchesNamePattern(std::string_view s);
// 0|([1-9]\d{0,128})  (SequenceNumber)
bool MatchesSequenceNumberPattern(std::string_view s);
// 0|([1-9]\d{0,38})  (HashKey)
bool MatchesHashKeyPattern(std::string_view s);
// arn:aws.*:kinesis:.*:\d{12}:stream/\S+  (StreamARN)
bool MatchesStreamArnPattern(std::string_view s);
// arn:aws.*:kinesis:.*:\d{12}:.*(stream|channel|queue)/\S+  (ResourceARN)
bool MatchesResourceArnPattern(std::string_view s);

inline constexpr std::string_view kNamePattern = "[a-zA-Z0-9_.-]+";
inline constexpr std::string_view kSequenceNumberPattern = "0|([1-9]\\d{0,128})";
inline constexpr std::string_view kHashKeyPattern = "0|([1-9]\\d{0,38})";
inline constexpr std::string_view kStreamArnPattern = "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+";
inline constexpr std::string_view kResourceArnPattern = "arn:aws.*:kinesis:.*:\\d{12}:.*(stream|channel|queue)/\\S+";

void CheckStreamName(protocol::ValidationErrors& errors, std::string_view path, std::optional<std::string_view> value,
                     bool required = false);
void CheckStreamArn(protocol::ValidationErrors& errors, std::optional<std::string_view> value, bool required = false);
void CheckShardId(protocol::ValidationErrors& errors, std::string_view path, std::optional<std::string_view> value,
                  bool required = false);
void CheckSequenceNumber(protocol::ValidationErrors& errors, std::string_view path,
                         std::optional<std::string_view> value);
void CheckHashKey(protocol::ValidationErrors& errors, std::string_view path, std::optional<std::string_view> value);
// RecordDistributionStrategy (CreateStream, UpdateStreamRecordDistributionStrategy):
// AUTO | USER_PARTITION_KEY.
void CheckRecordDistributionStrategy(protocol::ValidationErrors& errors, std::optional<std::string_view> value,
                                     bool required = false);

}  // namespace sluice::api
