// GroupPlacement: which node coordinates each consumer group, in a cluster
// (docs/cluster.md, "Consumer groups"). Every groups-API call naming a group
// is answered by its coordinator; another node forwards it there. A single
// node has no placement: it coordinates every group.
//
// Thread-safe.
#pragma once

#include <string>

#include "groups/group_types.h"
#include "util/status.h"

namespace sluice::groups {

struct GroupCoordinator {
  bool here = false;    // this node coordinates the group
  std::string node_id;  // the coordinator's id
  std::string address;  // where it serves the API ("host:port")
};

class GroupPlacement {
 public:
  virtual ~GroupPlacement() = default;
  // Errors: ServiceUnavailable while no live node is known (this node has
  // not joined the cluster yet).
  virtual Result<GroupCoordinator> CoordinatorOf(const GroupKey& key) const = 0;
};

}  // namespace sluice::groups
