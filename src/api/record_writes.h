// Helpers shared by PutRecord and PutRecords.
#pragma once

#include <optional>
#include <string_view>

#include "util/hash_key.h"
#include "util/status.h"

namespace sluice::api {

// Largest Data blob the model allows (10 MiB); the stream's own maximum
// record size is enforced by the engine.
inline constexpr int64_t kMaxDataBytes = 10485760;
inline constexpr int64_t kMaxPartitionKeyLength = 256;

// Parses an ExplicitHashKey that already matched the model pattern. A value
// >= 2^128 is InvalidArgumentException:
//   "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was <v>"
Result<HashKey> ParseExplicitHashKey(std::string_view value);

}  // namespace sluice::api
