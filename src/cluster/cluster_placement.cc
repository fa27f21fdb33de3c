#include "cluster/cluster_placement.h"

namespace sluice::cluster {

ShardId ToShardId(const engine::ShardKey& shard) {
  return {shard.stream.account, shard.stream.region, shard.stream.name, shard.stream_creation_ms, shard.shard_index};
}

engine::PlacementAnswer ClusterPlacement::Leader(const engine::ShardKey& shard) const {
  std::optional<ShardRecord> record = view_.shard(ToShardId(shard));
  if (!record || record->leadership.leaderless()) return {false, ""};
  if (record->leadership.leader == node_id_) return {true, ""};
  std::optional<NodeInfo> leader = view_.live_node(record->leadership.leader);
  return {false, leader ? leader->advertise : std::string()};
}

}  // namespace sluice::cluster
