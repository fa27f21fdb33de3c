// ShardPlacement (engine/placement.h) in cluster mode: who leads a shard, as
// the shard's leadership record in the node's ClusterView says. Answers come
// from memory, as current as the view's watch.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "cluster/cluster_view.h"
#include "engine/placement.h"

namespace sluice::cluster {

// The engine::ShardKey's shard as a leadership record names it.
ShardId ToShardId(const engine::ShardKey& shard);

class ClusterPlacement final : public engine::ShardPlacement {
 public:
  // `view` must outlive the placement.
  ClusterPlacement(const ClusterView& view, std::string node_id) : view_(view), node_id_(std::move(node_id)) {}

  // This node when its id is the record's leader; else the leader's advertised
  // address, empty while the shard has no record, no leader, or its leader is
  // not live.
  engine::PlacementAnswer Leader(const engine::ShardKey& shard) const override;

 private:
  const ClusterView& view_;
  const std::string node_id_;
};

// The engine's placement from the moment the server starts, before the node
// has joined and read the cluster view: until Join() hands it the view's
// placement, and after Leave(), every shard "has no leader at the moment"
// (the retryable NotLeader), so no node serves a shard it may not lead.
// Thread-safe; Leader() takes no lock.
class JoinedPlacement final : public engine::ShardPlacement {
 public:
  void Join(std::shared_ptr<const engine::ShardPlacement> placement) { placement_.store(std::move(placement)); }
  void Leave() { placement_.store(nullptr); }

  engine::PlacementAnswer Leader(const engine::ShardKey& shard) const override {
    std::shared_ptr<const engine::ShardPlacement> placement = placement_.load();
    if (!placement) return {false, ""};
    return placement->Leader(shard);
  }

 private:
  std::atomic<std::shared_ptr<const engine::ShardPlacement>> placement_;
};

}  // namespace sluice::cluster
