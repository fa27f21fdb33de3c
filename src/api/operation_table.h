// The operations of the Kinesis API model (2013-12-02) and the handlers
// this server has for them.
#pragma once

#include <span>
#include <string_view>

#include "api/operation.h"

namespace sluice::api {

// The X-Amz-Target prefix of every operation: "Kinesis_20131202.PutRecords".
inline constexpr std::string_view kTargetPrefix = "Kinesis_20131202.";

struct OperationEntry {
  std::string_view name;  // "PutRecords"
  OperationHandler handler;
  bool streaming = false;  // answers with a streamed body (OperationContext::open_stream)
};

// The entry for an operation name, or nullptr when the model has no such
// operation. Thread-safe (a constant table).
const OperationEntry* FindOperation(std::string_view name);
// Every operation of the model, in name order; FindOperation's results point
// into it.
std::span<const OperationEntry> AllOperations();

}  // namespace sluice::api
