#include "cluster/group_placement.h"

namespace sluice::cluster {
namespace {

void Fnv(uint64_t* h, std::string_view s) {
  for (unsigned char c : s) {
    *h ^= c;
    *h *= 0x100000001b3ull;
  }
  *h ^= 0xff;  // a separator no name contains
  *h *= 0x100000001b3ull;
}

}  // namespace

uint64_t RendezvousScore(const std::string& node_id, const groups::GroupKey& group) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (std::string_view part :
       {std::string_view(node_id), std::string_view(group.account), std::string_view(group.region),
        std::string_view(group.stream), std::string_view(group.group)}) {
    Fnv(&h, part);
  }
  // splitmix64's finalizer: FNV's low bits alone mix poorly.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  return h ^ (h >> 31);
}

Result<groups::GroupCoordinator> RendezvousGroupPlacement::CoordinatorOf(const groups::GroupKey& key) const {
  const ClusterView* view = view_.load();
  const std::map<std::string, NodeInfo> nodes = view ? view->live_nodes() : std::map<std::string, NodeInfo>{};
  const NodeInfo* best = nullptr;
  uint64_t best_score = 0;
  for (const auto& [id, node] : nodes) {
    const uint64_t score = RendezvousScore(id, key);
    if (!best || score > best_score) {
      best = &node;
      best_score = score;
    }
  }
  if (!best) {
    return Status(ErrorCode::kServiceUnavailable,
                  "Group " + key.group + ": this node knows no live node of the cluster yet; try again.");
  }
  return groups::GroupCoordinator{best->id == node_id_, best->id, best->advertise};
}

std::string RendezvousGroupPlacement::LiveNodes() const {
  const ClusterView* view = view_.load();
  if (!view) return "";
  std::string out;
  for (const auto& [id, node] : view->live_nodes()) out += id + ",";
  return out;
}

}  // namespace sluice::cluster
