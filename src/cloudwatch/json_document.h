// Documents in AWS JSON 1.0 (X-Amz-Target "GraniteServiceVersion20100801.<Op>"):
// timestamps are epoch seconds as JSON numbers.
#pragma once

#include <string>
#include <string_view>

#include "cloudwatch/document.h"
#include "util/status.h"

namespace sluice::cloudwatch {

// Parses a JSON object (an empty body: an empty map); anything else is
// kSerialization. Numbers, including those meant as timestamps, read as
// numbers (Value::AsTime accepts them).
Result<Value> DecodeJsonDocument(std::string_view text);

// Writes `value` as JSON (timestamps as epoch seconds).
std::string EncodeJsonDocument(const Value& value);

}  // namespace sluice::cloudwatch
