#include "groups/live_group.h"

#include <unordered_map>

namespace sluice::groups {

std::vector<std::string> ReadableShards(const StreamShards& shards, const StoredGroup& group) {
  std::unordered_map<std::string, bool> finished;
  for (const ShardInfo& s : shards.shards) {
    auto c = group.checkpoints.find(s.shard_id);
    finished[s.shard_id] = s.closed && c != group.checkpoints.end() && c->second.shard_end;
  }
  std::vector<std::string> out;
  for (const ShardInfo& s : shards.shards) {
    if (finished[s.shard_id]) continue;
    bool parents_done = true;
    for (const std::string& p : s.parents) {
      auto f = finished.find(p);
      if (f != finished.end() && !f->second) parents_done = false;  // absent: aged out, finished
    }
    if (parents_done) out.push_back(s.shard_id);
  }
  return out;
}

void LiveGroup::Rebalance(const StreamShards& shards, const StoredGroup& stored) {
  const std::vector<std::string> readable = ReadableShards(shards, stored);
  std::vector<std::string> ids;
  ids.reserve(members.size());
  for (const auto& [id, member] : members) ids.push_back(id);
  ShardOwners next = BalanceAssignment(readable, ids, target);
  if (next != target) {
    ++generation;
    target = std::move(next);
  }
  for (auto it = owners.begin(); it != owners.end();) {
    auto t = target.find(it->first);
    auto m = members.find(it->second.member);
    const bool gone = t == target.end() || m == members.end();
    const bool pushed_moved = !gone && t->second != it->second.member && m->second.listener != nullptr;
    it = gone || pushed_moved ? owners.erase(it) : std::next(it);
  }
  Grant();
}

void LiveGroup::Release(const std::string& member) {
  for (auto it = owners.begin(); it != owners.end();) {
    auto t = target.find(it->first);
    const bool moved = it->second.member == member && (t == target.end() || t->second != member);
    it = moved ? owners.erase(it) : std::next(it);
  }
  Grant();
}

void LiveGroup::RemoveMember(const std::string& member) {
  members.erase(member);
  for (auto it = owners.begin(); it != owners.end();)
    it = it->second.member == member ? owners.erase(it) : std::next(it);
}

void LiveGroup::Grant() {
  for (const auto& [shard, member] : target) {
    if (!owners.count(shard)) owners[shard] = ShardOwner{member, generation};
  }
}

std::vector<std::string> LiveGroup::AssignmentOf(const std::string& member) const {
  std::vector<std::string> out;
  for (const auto& [shard, owner] : owners) {
    auto t = target.find(shard);
    if (owner.member == member && t != target.end() && t->second == member) out.push_back(shard);
  }
  return out;
}

bool LiveGroup::rebalancing() const {
  for (const auto& [shard, member] : target) {
    auto o = owners.find(shard);
    if (o == owners.end() || o->second.member != member) return true;
  }
  return false;
}

}  // namespace sluice::groups
