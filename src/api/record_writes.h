// Helpers shared by PutRecord and PutRecords.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "engine/types.h"
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

struct OperationContext;

// PartitionKey is optional in the model since the AUTO record distribution
// strategy: a record without one is taken when `stream` is AUTO (its key is
// ignored there), and refused otherwise with the validation error the
// service gives for a missing key (`path` "partitionKey" or
// "records.<n>.member.partitionKey"):
//   "1 validation error detected: Value null at '<path>' failed to satisfy
//    constraint: Member must not be null"
// Called once the request is otherwise valid and the stream resolved (the
// strategy is read then; a change racing the write applies as the engine
// sees it). Errors: ResourceNotFound (no such stream), Validation.
Status CheckMissingPartitionKeys(const OperationContext& ctx, const engine::StreamRef& stream,
                                 std::span<const std::string> paths);

}  // namespace sluice::api
