// Rendezvous placement of consumer groups (docs/cluster.md, "Consumer
// groups"): a group's coordinator is the live node with the highest score
// hash(node id, group key), so it moves only when that node leaves or a node
// joins that scores higher, and every node with the same view of the live
// nodes names the same one.
//
// Thread-safe.
#pragma once

#include <atomic>
#include <string>

#include "cluster/cluster_view.h"
#include "groups/group_placement.h"

namespace sluice::cluster {

class RendezvousGroupPlacement final : public groups::GroupPlacement {
 public:
  explicit RendezvousGroupPlacement(std::string node_id) : node_id_(std::move(node_id)) {}

  // From when the node has joined; `view` outlives the placement's use.
  void SetView(const ClusterView* view) { view_.store(view); }

  Result<groups::GroupCoordinator> CoordinatorOf(const groups::GroupKey& key) const override;
  // The live nodes' ids, comma-separated in order: changes whenever they do
  // (EtcdGroupRecords checks its claims again then). Empty before SetView.
  std::string LiveNodes() const;

 private:
  const std::string node_id_;
  std::atomic<const ClusterView*> view_{nullptr};
};

// The score of `node_id` for `group`: 64 bits of FNV-1a over both, mixed.
uint64_t RendezvousScore(const std::string& node_id, const groups::GroupKey& group);

}  // namespace sluice::cluster
