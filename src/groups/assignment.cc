#include "groups/assignment.h"

#include <algorithm>
#include <set>

namespace sluice::groups {

ShardOwners BalanceAssignment(const std::vector<std::string>& shards, const std::vector<std::string>& members,
                              const ShardOwners& previous) {
  ShardOwners out;
  if (members.empty()) return out;
  const std::set<std::string> member_set(members.begin(), members.end());
  std::map<std::string, std::vector<std::string>> kept;  // member -> shards it keeps, ascending
  for (const std::string& m : members) kept[m];
  std::vector<std::string> free;
  for (const std::string& shard : shards) {
    auto prev = previous.find(shard);
    if (prev != previous.end() && member_set.count(prev->second)) {
      kept[prev->second].push_back(shard);
    } else {
      free.push_back(shard);
    }
  }
  // The members that keep the most get the larger quotas, so fewer move.
  std::vector<std::string> order(member_set.begin(), member_set.end());
  std::stable_sort(order.begin(), order.end(),
                   [&kept](const std::string& a, const std::string& b) { return kept[a].size() > kept[b].size(); });
  const size_t base = shards.size() / order.size();
  const size_t extra = shards.size() % order.size();
  std::map<std::string, size_t> quota;
  for (size_t i = 0; i < order.size(); ++i) quota[order[i]] = base + (i < extra ? 1 : 0);
  for (const std::string& m : order) {
    std::vector<std::string>& mine = kept[m];
    while (mine.size() > quota[m]) {
      free.push_back(mine.back());
      mine.pop_back();
    }
  }
  std::sort(free.begin(), free.end());
  size_t next = 0;
  for (const std::string& m : order) {
    std::vector<std::string>& mine = kept[m];
    while (mine.size() < quota[m] && next < free.size()) mine.push_back(free[next++]);
    for (const std::string& shard : mine) out[shard] = m;
  }
  return out;
}

}  // namespace sluice::groups
