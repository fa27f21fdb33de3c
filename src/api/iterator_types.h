// ShardIteratorType, shared by GetShardIterator and SubscribeToShard's
// StartingPosition: the enum as the service lists it in its messages, and
// its engine value.
#pragma once

#include <array>
#include <string_view>

#include "engine/types.h"

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

}  // namespace sluice::api
