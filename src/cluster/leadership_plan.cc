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

ShardLeadership Assign(const ShardLeadership& current, const std::set<std::string>& live, int replication_factor,
                       Load& load) {
  std::vector<std::string> candidates(live.begin(), live.end());
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

ShardLeadership Reconcile(const ShardLeadership& current, const std::set<std::string>& live, Load& load) {
  ShardLeadership next = current;
  std::vector<std::string> live_isr;
  for (const std::string& n : current.isr) {
    if (live.contains(n)) live_isr.push_back(n);
  }
  if (!live_isr.empty()) next.isr = live_isr;  // else the last member stays, to lead again on its return

  const std::string& preferred = current.replicas.front();
  const bool preferred_ok = Contains(live_isr, preferred);
  if (preferred_ok) {
    next.leader = preferred;
  } else if (!Contains(live_isr, current.leader)) {
    next.leader = live_isr.empty() ? std::string() : load.FewestLeaders(live_isr);
  }
  if (next.leader != current.leader) {
    next.leader_epoch = current.leader_epoch + 1;
    load.MoveLeader(current.leader, next.leader);
  }
  return next;
}

}  // namespace

std::vector<LeadershipChange> PlanLeadership(const std::vector<ShardRecord>& shards,
                                             const std::set<std::string>& live_nodes, int replication_factor) {
  Load load(shards, live_nodes);
  std::vector<LeadershipChange> changes;
  // Assigned shards first, so that new ones are spread over the load as it will be.
  for (size_t i = 0; i < shards.size(); ++i) {
    const ShardLeadership& current = shards[i].leadership;
    if (!current.assigned()) continue;
    ShardLeadership next = Reconcile(current, live_nodes, load);
    if (next != current) changes.push_back({i, std::move(next)});
  }
  if (live_nodes.empty()) return changes;
  for (size_t i = 0; i < shards.size(); ++i) {
    if (shards[i].leadership.assigned()) continue;
    changes.push_back({i, Assign(shards[i].leadership, live_nodes, replication_factor, load)});
  }
  return changes;
}

}  // namespace sluice::cluster
