// Consumer ARNs: <stream arn>/consumer/<consumer name>:<creation epoch seconds>,
// e.g. arn:aws:kinesis:us-east-1:123456789012:stream/orders/consumer/app:1700000000.
// The seconds tell a consumer apart from an earlier one of the same name.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/types.h"

namespace sluice::engine {

// The ARN of the consumer `name` of `stream`, created at `creation_ms`
// (the ARN carries whole seconds).
std::string ConsumerArn(const StreamRef& stream, std::string_view name, int64_t creation_ms);

struct ParsedConsumerArn {
  StreamRef stream;
  std::string name;
  int64_t creation_seconds = 0;
};

// Parses a consumer ARN: a stream ARN (engine/engine.h ParseStreamArn, any
// aws* partition), "/consumer/", a name of [a-zA-Z0-9_.-]+ and ":" followed
// by 1 to 18 decimal digits, with nothing after them. nullopt otherwise.
std::optional<ParsedConsumerArn> ParseConsumerArn(std::string_view arn);

}  // namespace sluice::engine
