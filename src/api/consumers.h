// Pieces shared by the stream-consumer operations (RegisterStreamConsumer,
// DescribeStreamConsumer, ListStreamConsumers, DeregisterStreamConsumer):
// the ConsumerName and ConsumerARN constraints, which consumer a request
// names, and the Consumer / ConsumerDescription output shapes.
#pragma once

#include <optional>
#include <string_view>

#include "api/dispatcher.h"
#include "engine/types.h"
#include "protocol/json_reader.h"
#include "protocol/json_writer.h"
#include "protocol/validation.h"
#include "util/status.h"

namespace sluice::api {

// ^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+
// matched against the whole value, in linear time.
bool MatchesConsumerArnPattern(std::string_view s);
inline constexpr std::string_view kConsumerArnPattern =
    "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+";

// ConsumerName: [a-zA-Z0-9_.-]+, 1..128.
void CheckConsumerName(protocol::ValidationErrors& errors, std::optional<std::string_view> value,
                       bool required = false);
// ConsumerARN: the pattern above, 1..2048.
void CheckConsumerArn(protocol::ValidationErrors& errors, std::optional<std::string_view> value);

// The consumer a Describe/DeregisterStreamConsumer request names: its
// ConsumerARN, or its StreamARN and ConsumerName; when more are given they
// must agree. Errors (InvalidArgumentException):
//   too few      "ConsumerArn or both ConsumerName and StreamARN are required for this request."
//   bad ARN      "Invalid StreamARN <arn>."
//   disagreement "StreamARN <arn> and ConsumerARN <arn> refer to different streams."
//                "ConsumerName <name> and ConsumerARN <arn> refer to different consumers."
// A ConsumerARN that matches the pattern but names no stream's consumer is
// ResourceNotFoundException "Consumer <arn> not found.".
Result<engine::ConsumerLookup> ResolveConsumer(const ApiOptions& options, std::optional<std::string_view> stream_arn,
                                               std::optional<std::string_view> consumer_name,
                                               std::optional<std::string_view> consumer_arn);
// The request members of DescribeStreamConsumer and DeregisterStreamConsumer
// (StreamARN, ConsumerName, ConsumerARN): type checks, validation, then
// ResolveConsumer.
Result<engine::ConsumerLookup> DecodeConsumerLookup(const ApiOptions& options, const protocol::JsonObject& body);

// {"ConsumerName","ConsumerARN","ConsumerStatus","ConsumerCreationTimestamp"}
void WriteConsumer(protocol::JsonWriter& w, const engine::ConsumerDescription& c);
// The same plus "StreamARN".
void WriteConsumerDescription(protocol::JsonWriter& w, const engine::ConsumerDescription& c);

}  // namespace sluice::api
