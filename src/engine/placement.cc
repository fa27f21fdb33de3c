#include "engine/placement.h"

namespace sluice::engine {

Status CheckLeader(const ShardPlacement& placement, const ShardKey& shard) {
  PlacementAnswer answer = placement.Leader(shard);
  if (answer.this_node) return Status::Ok();
  std::string message = "Shard " + ShardIdFor(shard.shard_index) + " in stream " + shard.stream.name +
                        " under account " + shard.stream.account;
  message +=
      answer.leader_address.empty() ? " has no leader at the moment." : " is led by " + answer.leader_address + ".";
  return Status(ErrorCode::kNotLeader, std::move(message));
}

}  // namespace sluice::engine
