// The sticky balanced assignment of a group's shards to its members.
//
// Balanced: the members' shard counts differ by at most one. Sticky: a shard
// stays with the member that had it whenever balance allows, so a rebalance
// moves as few shards as it can (the members that keep the most get the
// larger quotas, and only a member above its quota gives shards up, its
// highest shard ids first).
//
// Thread-safe: a pure function.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace sluice::groups {

// shard id -> member id
using ShardOwners = std::map<std::string, std::string>;

// Assigns every shard of `shards` to one of `members` (none when there are
// no members), keeping each shard's owner from `previous` when it is still a
// member and balance allows. Deterministic: the same inputs give the same
// answer.
ShardOwners BalanceAssignment(const std::vector<std::string>& shards, const std::vector<std::string>& members,
                              const ShardOwners& previous);

}  // namespace sluice::groups
