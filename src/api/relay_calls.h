// The Kinesis calls a relayed subscription (api/subscription_relay.h) makes
// to a shard's leader, as JSON 1.1 bodies, and the leader's answers read
// back into the engine's values: GetShardIterator and GetRecords, the same
// requests a client would send. Pure functions: bytes in, values out.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/types.h"
#include "gateway/forwarder.h"
#include "util/status.h"

namespace sluice::api {

// Where a GetShardIterator asks to start: an iterator type's name
// ("TRIM_HORIZON", "AFTER_SEQUENCE_NUMBER" ...) with its sequence number or
// timestamp.
struct RelayPosition {
  std::string type;
  std::optional<std::string> sequence_number;
  std::optional<int64_t> timestamp_ms;
};

// {"StreamARN":..,"ShardId":..,"ShardIteratorType":..,"StartingSequenceNumber"?,"Timestamp"?}
std::string GetShardIteratorBody(const engine::StreamRef& stream, std::string_view shard_id,
                                 const RelayPosition& position);
// {"ShardIterator":..,"Limit":..}
std::string GetRecordsBody(std::string_view shard_iterator, int limit);

// A Kinesis JSON 1.1 call: the operation's X-Amz-Target and the content
// type, acting as `stream`'s account and region (the subscriber's).
gateway::ForwardedRequest RelayRequest(std::string_view operation, std::string body, const engine::StreamRef& stream);

// The error an answer other than 200 carries, as a Status: its `__type`
// mapped back to the ErrorCode that writes it (InternalFailure for a type
// this server does not write), with its message.
Status AnswerError(const gateway::ForwardedResponse& answer);

// GetShardIterator's answer: the iterator. Errors: AnswerError for a non-200
// answer; BadResponse for a body without one.
Result<std::string> ReadShardIteratorAnswer(const gateway::ForwardedResponse& answer);

// GetRecords' answer as the engine's result (records, NextShardIterator,
// MillisBehindLatest, ChildShards), its records' bytes owned by the result's
// buffer. Errors: AnswerError for a non-200 answer; BadResponse for a body
// that is not GetRecords' output.
Result<engine::GetRecordsResult> ReadGetRecordsAnswer(const gateway::ForwardedResponse& answer);

}  // namespace sluice::api
