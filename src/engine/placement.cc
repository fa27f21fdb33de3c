#include "engine/placement.h"

namespace sluice::engine {

namespace {
constexpr std::string_view kLedBy = " is led by ";
}  // namespace

Status CheckLeader(const ShardPlacement& placement, const ShardKey& shard) {
  PlacementAnswer answer = placement.Leader(shard);
  if (answer.this_node) return Status::Ok();
  std::string message = "Shard " + ShardIdFor(shard.shard_index) + " in stream " + shard.stream.name +
                        " under account " + shard.stream.account;
  message += answer.leader_address.empty() ? " has no leader at the moment."
                                           : std::string(kLedBy) + answer.leader_address + ".";
  return Status(ErrorCode::kNotLeader, std::move(message));
}

std::string LeaderAddressOf(const Status& status) {
  if (status.code() != ErrorCode::kNotLeader) return {};
  const std::string& message = status.message();
  const size_t at = message.rfind(kLedBy);
  if (at == std::string::npos || message.empty() || message.back() != '.') return {};
  const size_t begin = at + kLedBy.size();
  return message.substr(begin, message.size() - 1 - begin);
}

}  // namespace sluice::engine
