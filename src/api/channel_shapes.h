// Pieces the five channel operations share (create_channel.cc ...): the
// model's patterns for channel members, decoding and validating the
// CreateChannel input into a channels::Channel, the channel ARN member, the
// source-stream checks, and the ChannelDescription / ChannelSummary output
// shapes. Members are decoded in the model's order; a type error ends the
// decode (SerializationException) before any validation error is reported.
#pragma once

#include <optional>
#include <string_view>

#include "api/operation.h"
#include "channels/channel.h"
#include "channels/channel_registry.h"
#include "protocol/json_reader.h"
#include "protocol/json_writer.h"
#include "protocol/validation.h"
#include "util/status.h"

namespace sluice::api {

inline constexpr std::string_view kChannelArnPattern = "arn:aws.*:kinesis:.*:\\d{12}:channel/\\S+";

// CreateChannel's input as a channel of the caller's namespace (name and
// configuration; the registry assigns id, time and status). A missing
// DeadLetterQueueS3Configuration of an S3 destination defaults to the
// destination bucket under "error/". Errors: SerializationException,
// ValidationException, InvalidArgumentException (both or neither
// destination).
Result<channels::Channel> DecodeCreateChannel(const OperationContext& ctx, const protocol::JsonObject& body);

// A required StreamARN member at `path` (pattern, 1..2048).
void CheckStreamArnMember(protocol::ValidationErrors& errors, const std::string& path,
                          std::optional<std::string_view> value);
// Required ChannelARN (pattern, 1..2048).
void CheckChannelArn(protocol::ValidationErrors& errors, std::optional<std::string_view> value);
// DataFreshnessInSeconds: the model has no bounds; this server takes 0..900
// (InvalidArgumentException otherwise), the range Firehose-style buffering
// allows.
Status CheckDataFreshness(std::optional<int64_t> value);
// Decodes and checks a LoggingConfiguration structure (create or update).
Status DecodeLogging(const protocol::JsonObject& logging, std::string_view path, protocol::ValidationErrors& errors,
                     channels::Logging* out);

// The namespace and name a (pattern-checked) ChannelARN names; the ARN's
// account and region win over the caller's. InvalidArgumentException when
// it does not parse.
Result<channels::ChannelName> ResolveChannelArn(std::string_view arn);

// Every source stream must exist (ResourceNotFoundException) and be
// ON_DEMAND (InvalidArgumentException); records each stream's creation time.
Status CheckSourceStreams(const OperationContext& ctx, channels::Channel& channel);

// DeleteStream's check: ResourceInUseException naming the first channel
// (in name order, not DELETING) that reads this incarnation of the stream,
// as the service refuses to delete a stream that has channels. OK when the
// stream does not exist (DeleteStream then says so) or the server has no
// channel registry.
Status CheckNoChannelReads(const OperationContext& ctx, const engine::StreamRef& stream);

// The registry (ApiOptions::channels); InvalidArgument-free: an internal
// failure when the server runs without one.
Result<channels::ChannelRegistry*> Channels(const OperationContext& ctx);

// The request's only member ChannelARN (DescribeChannel, DeleteChannel):
// type-checked, validated and resolved to the channel's namespace and name.
Result<channels::ChannelName> DecodeChannelArnOnly(const protocol::JsonObject& body);

// {"ChannelDescription":{..}}, the output of CreateChannel, DescribeChannel
// and UpdateChannel.
std::string ChannelDescriptionOutput(const channels::Channel& c);

// {"ChannelName":..,"ChannelARN":..,...} (ChannelDescription).
void WriteChannelDescription(protocol::JsonWriter& w, const channels::Channel& c);
// {"ChannelName":..,...,"ChannelDestinationType":..,"Streams":[..]} (ChannelSummary).
void WriteChannelSummary(protocol::JsonWriter& w, const channels::Channel& c);

}  // namespace sluice::api
