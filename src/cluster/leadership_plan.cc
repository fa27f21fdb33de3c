#include "cluster/leadership_plan.h"

#include <algorithm>
#include <map>

namespace sluice::cluster {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// Shards led and replicas held per live node, kept current as the plan goes.
class Load {
 public:
  Load(const std::vector<ShardRecord>& shards, const std::set<std::string>& live) {
    for (const std::string& n : live) counts_[n];
    for (const ShardRecord& r : shards) {
      if (live.contains(r.leadership.leader)) ++counts_[r.leadership.leader].leaders;
      for (const std::string& n : r.leadership.replicas) {
        if (live.contains(n)) ++counts_[n].replicas;
      }
    }
  }

  void MoveLeader(const std::string& from, const std::string& to) {
    if (auto it = counts_.find(from); it != counts_.end()) --it->second.leaders;
    if (auto it = counts_.find(to); it != counts_.end()) ++it->second.leaders;
  }
  void AddReplica(const std::string& node) { ++counts_[node].replicas; }

  // The candidate leading fewest shards (then holding fewest replicas, then by id).
  std::string FewestLeaders(const std::vector<std::string>& candidates) const {
    return Min(candidates, [](const Counts& c) { return std::pair(c.leaders, c.replicas); });
  }
  // The candidate holding fewest replicas (then leading fewest, then by id).
  std::string FewestReplicas(const std::vector<std::string>& candidates) const {
    return Min(candidates, [](const Counts& c) { return std::pair(c.replicas, c.leaders); });
  }

 private:
  struct Counts {
    int leaders = 0;
    int replicas = 0;
  };
  template <typename Rank>
  std::string Min(const std::vector<std::string>& candidates, Rank rank) const {
    std::string best;
    std::pair<int, int> best_rank;
    for (const std::string& n : candidates) {
      const std::pair<int, int> r = rank(counts_.at(n));
      if (best.empty() || r < best_rank || (r == best_rank && n < best)) {
        best = n;
        best_rank = r;
      }
    }
    return best;
  }
  std::map<std::string, Counts> counts_;
};

using NodeSet = std::set<std::string>;

std::vector<std::string> Without(const std::vector<std::string>& nodes, const NodeSet& excluded) {
  std::vector<std::string> out;
  for (const std::string& n : nodes) {
    if (!excluded.contains(n)) out.push_back(n);
  }
  return out;
}

ShardLeadership Assign(const ShardLeadership& current, const NodeSet& eligible, int replication_factor, Load& load) {
  std::vector<std::string> candidates(eligible.begin(), eligible.end());
  const size_t rf = std::min<size_t>(std::max(replication_factor, 1), candidates.size());
  ShardLeadership next;
  next.leader = load.FewestLeaders(candidates);
  next.leader_epoch = current.leader_epoch + 1;
  next.replicas.push_back(next.leader);
  load.MoveLeader("", next.leader);
  load.AddReplica(next.leader);
  std::erase(candidates, next.leader);
  while (next.replicas.size() < rf) {
    const std::string follower = load.FewestReplicas(candidates);
    next.replicas.push_back(follower);
    load.AddReplica(follower);
    std::erase(candidates, follower);
  }
  next.isr = next.replicas;
  return next;
}

ShardLeadership Reconcile(const ShardLeadership& current, const NodeSet& live, const NodeSet& decommissioned,
                          Load& load) {
  ShardLeadership next = current;
  std::vector<std::string> live_isr;
  for (const std::string& n : current.isr) {
    if (live.contains(n)) live_isr.push_back(n);
  }
  if (!live_isr.empty()) next.isr = live_isr;  // else the last member stays, to lead again on its return

  const std::string& preferred = current.replicas.front();
  const bool preferred_ok = Contains(live_isr, preferred) && !decommissioned.contains(preferred);
  if (preferred_ok) {
    next.leader = preferred;
  } else if (!Contains(live_isr, current.leader)) {
    std::vector<std::string> candidates = Without(live_isr, decommissioned);
    if (candidates.empty()) candidates = live_isr;
    next.leader = candidates.empty() ? std::string() : load.FewestLeaders(candidates);
  }
  if (next.leader != current.leader) {
    next.leader_epoch = current.leader_epoch + 1;
    load.MoveLeader(current.leader, next.leader);
  }
  return next;
}

// Adds a replacement beside each replica on a decommissioned node that has none.
void AddReplacements(ShardLeadership& next, const NodeSet& eligible, const NodeSet& decommissioned, Load& load) {
  // A mark removed (or a replica gone) before the drop: the replica stays.
  std::erase_if(next.removing,
                [&](const std::string& n) { return !decommissioned.contains(n) || !Contains(next.replicas, n); });
  for (size_t i = 0; i < next.replicas.size(); ++i) {
    const std::string node = next.replicas[i];
    if (!decommissioned.contains(node) || Contains(next.removing, node)) continue;
    std::vector<std::string> candidates;
    for (const std::string& n : eligible) {
      if (!Contains(next.replicas, n)) candidates.push_back(n);
    }
    if (candidates.empty()) continue;  // nowhere to move it: it stays
    const std::string replacement = load.FewestReplicas(candidates);
    next.replicas.insert(next.replicas.begin() + static_cast<std::ptrdiff_t>(i) + 1, replacement);
    next.removing.push_back(node);
    load.AddReplica(replacement);
    ++i;
  }
}

// Drops the replicas in `removing` once every other replica is in sync.
void DropReplaced(ShardLeadership& next, const NodeSet& live, Load& load) {
  if (next.removing.empty()) return;
  const NodeSet removing(next.removing.begin(), next.removing.end());
  const std::vector<std::string> kept = Without(next.replicas, removing);
  std::vector<std::string> live_kept;
  for (const std::string& n : kept) {
    if (!Contains(next.isr, n)) return;  // a replacement (or another replica) not in sync yet
    if (live.contains(n)) live_kept.push_back(n);
  }
  if (live_kept.empty()) return;  // none could lead
  std::string leader = next.leader;
  if (removing.contains(leader) || leader.empty()) {
    leader = live.contains(kept.front()) ? kept.front() : load.FewestLeaders(live_kept);
  }
  if (leader != next.leader) {
    load.MoveLeader(next.leader, leader);
    next.leader = leader;
    ++next.leader_epoch;
  }
  next.replicas = kept;
  next.isr = Without(next.isr, removing);
  next.removing.clear();
}

}  // namespace

std::vector<LeadershipChange> PlanLeadership(const std::vector<ShardRecord>& shards, const NodeSet& live_nodes,
                                             int replication_factor, const NodeSet& decommissioned) {
  Load load(shards, live_nodes);
  NodeSet eligible;
  for (const std::string& n : live_nodes) {
    if (!decommissioned.contains(n)) eligible.insert(n);
  }
  std::vector<LeadershipChange> changes;
  // Assigned shards first, so that new ones are spread over the load as it will be.
  for (size_t i = 0; i < shards.size(); ++i) {
    const ShardLeadership& current = shards[i].leadership;
    if (!current.assigned()) continue;
    ShardLeadership next = Reconcile(current, live_nodes, decommissioned, load);
    AddReplacements(next, eligible, decommissioned, load);
    DropReplaced(next, live_nodes, load);
    if (next != current) changes.push_back({i, std::move(next)});
  }
  if (eligible.empty()) return changes;
  for (size_t i = 0; i < shards.size(); ++i) {
    if (shards[i].leadership.assigned()) continue;
    changes.push_back({i, Assign(shards[i].leadership, eligible, replication_factor, load)});
  }
  return changes;
}

}  // namespace sluice::cluster
