#include "groups/assignment.h"

#include <gtest/gtest.h>

namespace sluice::groups {
namespace {

std::vector<std::string> Shards(int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back("shard-" + std::to_string(i));
  return out;
}

std::map<std::string, size_t> Counts(const ShardOwners& owners) {
  std::map<std::string, size_t> out;
  for (const auto& [shard, member] : owners) ++out[member];
  return out;
}

size_t Moved(const ShardOwners& before, const ShardOwners& after) {
  size_t moved = 0;
  for (const auto& [shard, member] : after) {
    auto b = before.find(shard);
    moved += b != before.end() && b->second != member;
  }
  return moved;
}

TEST(BalanceAssignmentTest, CountsDifferByAtMostOne) {
  for (int shards = 0; shards <= 12; ++shards) {
    for (int members = 1; members <= 5; ++members) {
      std::vector<std::string> ids;
      for (int m = 0; m < members; ++m) ids.push_back("m" + std::to_string(m));
      ShardOwners owners = BalanceAssignment(Shards(shards), ids, {});
      ASSERT_EQ(owners.size(), static_cast<size_t>(shards));
      size_t lo = SIZE_MAX, hi = 0;
      for (const std::string& m : ids) {
        const size_t n = Counts(owners)[m];
        lo = std::min(lo, n);
        hi = std::max(hi, n);
      }
      EXPECT_LE(hi - lo, 1u) << shards << " shards, " << members << " members";
    }
  }
}

TEST(BalanceAssignmentTest, AJoiningMemberTakesOnlyItsShareFromTheOthers) {
  ShardOwners three = BalanceAssignment(Shards(6), {"a", "b", "c"}, {});
  ShardOwners four = BalanceAssignment(Shards(6), {"a", "b", "c", "d"}, three);
  EXPECT_EQ(Counts(four)["d"], 1u);
  EXPECT_EQ(Moved(three, four), 1u);  // 6 shards over 4 members: 2,2,1,1 moves one shard
}

TEST(BalanceAssignmentTest, ALeavingMembersShardsAreTheOnlyOnesThatMove) {
  ShardOwners three = BalanceAssignment(Shards(9), {"a", "b", "c"}, {});
  ShardOwners two = BalanceAssignment(Shards(9), {"a", "c"}, three);
  EXPECT_EQ(Moved(three, two), 3u);  // exactly b's three shards
  for (const auto& [shard, member] : three) {
    if (member != "b") {
      EXPECT_EQ(two.at(shard), member) << shard;
    }
  }
}

TEST(BalanceAssignmentTest, NewShardsGoToTheMembersWithFewest) {
  ShardOwners before = BalanceAssignment(Shards(3), {"a", "b"}, {});
  ShardOwners after = BalanceAssignment(Shards(4), {"a", "b"}, before);
  EXPECT_EQ(Moved(before, after), 0u);
  EXPECT_EQ(Counts(after)["a"], 2u);
  EXPECT_EQ(Counts(after)["b"], 2u);
}

TEST(BalanceAssignmentTest, NoMembersNoAssignment) { EXPECT_TRUE(BalanceAssignment(Shards(3), {}, {}).empty()); }

}  // namespace
}  // namespace sluice::groups
