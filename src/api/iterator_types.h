// ShardIteratorType, shared by GetShardIterator and SubscribeToShard's
// StartingPosition: the enum as the service lists it in its messages, and
// its engine value.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "engine/types.h"
#include "util/status.h"

namespace sluice::api {

// The service lists the enum in this order in its messages.
inline constexpr std::array<std::string_view, 5> kIteratorTypes = {"AFTER_SEQUENCE_NUMBER", "LATEST", "AT_TIMESTAMP",
                                                                   "AT_SEQUENCE_NUMBER", "TRIM_HORIZON"};

// `name` must be one of kIteratorTypes (validated first).
inline engine::IteratorType IteratorTypeOf(std::string_view name) {
  if (name == "TRIM_HORIZON") return engine::IteratorType::kTrimHorizon;
  if (name == "LATEST") return engine::IteratorType::kLatest;
  if (name == "AT_SEQUENCE_NUMBER") return engine::IteratorType::kAtSequenceNumber;
  if (name == "AFTER_SEQUENCE_NUMBER") return engine::IteratorType::kAfterSequenceNumber;
  return engine::IteratorType::kAtTimestamp;
}

// The service's checks of a starting position once its type is known:
// AT_TIMESTAMP needs a timestamp; AT/AFTER_SEQUENCE_NUMBER need a sequence
// number and the other types must not have one. `sequence_member` is the
// member's name in the messages ("StartingSequenceNumber" for
// GetShardIterator, "SequenceNumber" for SubscribeToShard).
inline Status CheckStartingPosition(std::string_view type_name, bool has_sequence_number, bool has_timestamp,
                                    std::string_view sequence_member) {
  const engine::IteratorType type = IteratorTypeOf(type_name);
  if (type == engine::IteratorType::kAtTimestamp) {
    if (has_timestamp) return Status::Ok();
    return Status::InvalidArgument(
        "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no "
        "timestamp parameter.");
  }
  const bool by_sequence =
      type == engine::IteratorType::kAtSequenceNumber || type == engine::IteratorType::kAfterSequenceNumber;
  if (by_sequence == has_sequence_number) return Status::Ok();
  const std::string member(sequence_member);
  return Status::InvalidArgument("Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and " + member +
                                 " or (2) TRIM_HORIZON or LATEST and no " + member + ". Request specified " +
                                 std::string(type_name) + (has_sequence_number ? " and also a " : " and no ") + member +
                                 ".");
}

}  // namespace sluice::api
