#include "cluster/failover_timer.h"

#include <algorithm>

namespace sluice::cluster {

FailoverTimer::FailoverTimer() : durations_({50, 100, 250, 500, 1000, 2000, 3000, 5000, 10000, 15000, 30000, 60000}) {}

void FailoverTimer::Observe(const std::vector<ShardRecord>& shards, const std::set<std::string>& live_nodes,
                            int64_t now_ms) {
  std::map<ShardId, int64_t> since;
  for (const ShardRecord& r : shards) {
    const ShardLeadership& l = r.leadership;
    if (!l.assigned() || (!l.leaderless() && live_nodes.contains(l.leader))) continue;
    auto it = leaderless_since_.find(r.id);
    since[r.id] = it == leaderless_since_.end() ? now_ms : it->second;
  }
  leaderless_since_ = std::move(since);
}

void FailoverTimer::LeaderWritten(const ShardId& shard, int64_t now_ms) {
  auto it = leaderless_since_.find(shard);
  if (it == leaderless_since_.end()) return;
  durations_.Observe(static_cast<uint64_t>(std::max<int64_t>(0, now_ms - it->second)));
  leaderless_since_.erase(it);
}

}  // namespace sluice::cluster
