#include "api/record_writes.h"

#include <string>

#include "api/operation.h"
#include "engine/engine.h"
#include "protocol/validation.h"

namespace sluice::api {

Result<HashKey> ParseExplicitHashKey(std::string_view value) {
  Result<HashKey> key = ParseHashKey(value);
  if (!key.ok()) {
    return Status::InvalidArgument(
        "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was " +
        std::string(value));
  }
  return *key;
}

Status CheckMissingPartitionKeys(const OperationContext& ctx, const engine::StreamRef& stream,
                                 std::span<const std::string> paths) {
  if (paths.empty()) return Status::Ok();
  SLUICE_ASSIGN_OR_RETURN(engine::StreamDescription desc,
                          ctx.engine.control().DescribeStream(stream, engine::kNoShards));
  if (desc.record_distribution == engine::RecordDistribution::kAuto) return Status::Ok();
  protocol::ValidationErrors errors;
  for (size_t i = 0; i < paths.size() && i < protocol::ValidationErrors::kMaxErrors; ++i) {
    errors.Add(std::nullopt, paths[i], "Member must not be null");
  }
  return errors.ToStatus();
}

}  // namespace sluice::api
