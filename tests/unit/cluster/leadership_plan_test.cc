// The controller's rules (leadership_plan.h), without etcd.
#include "cluster/leadership_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

namespace sluice::cluster {
namespace {

std::vector<ShardRecord> Unassigned(int shards) {
  std::vector<ShardRecord> out;
  for (int i = 0; i < shards; ++i) out.push_back({{"123456789012", "us-east-1", "s", 1, i}, {}, 1});
  return out;
}

// Applies a plan to the records, as the controller's writes would.
void Apply(std::vector<ShardRecord>& records, const std::vector<LeadershipChange>& changes) {
  for (const LeadershipChange& c : changes) records[c.shard].leadership = c.next;
}

std::map<std::string, int> LeadersPerNode(const std::vector<ShardRecord>& records) {
  std::map<std::string, int> out;
  for (const ShardRecord& r : records) ++out[r.leadership.leader];
  return out;
}

TEST(LeadershipPlanTest, NewShardsGetReplicationFactorReplicasAndLeadersSpreadEvenly) {
  std::vector<ShardRecord> records = Unassigned(6);
  Apply(records, PlanLeadership(records, {"n1", "n2", "n3"}, 3));
  for (const ShardRecord& r : records) {
    EXPECT_EQ(r.leadership.replicas.size(), 3u);
    EXPECT_EQ(r.leadership.isr, r.leadership.replicas);
    EXPECT_EQ(r.leadership.leader, r.leadership.replicas.front());
    EXPECT_EQ(r.leadership.leader_epoch, 1);
  }
  EXPECT_EQ(LeadersPerNode(records), (std::map<std::string, int>{{"n1", 2}, {"n2", 2}, {"n3", 2}}));
  EXPECT_TRUE(PlanLeadership(records, {"n1", "n2", "n3"}, 3).empty()) << "a settled cluster needs no change";
}

TEST(LeadershipPlanTest, TheReplicationFactorIsCappedByTheLiveNodes) {
  std::vector<ShardRecord> records = Unassigned(2);
  Apply(records, PlanLeadership(records, {"n1", "n2"}, 3));
  EXPECT_EQ(records[0].leadership.replicas.size(), 2u);
  EXPECT_NE(records[0].leadership.leader, records[1].leadership.leader);
}

TEST(LeadershipPlanTest, ALostLeaderIsReplacedFromTheIsrWithTheNextEpochAndLeavesIt) {
  std::vector<ShardRecord> records = Unassigned(6);
  Apply(records, PlanLeadership(records, {"n1", "n2", "n3"}, 3));
  const std::vector<ShardRecord> before = records;
  Apply(records, PlanLeadership(records, {"n1", "n2"}, 3));
  for (size_t i = 0; i < records.size(); ++i) {
    const ShardLeadership& was = before[i].leadership;
    const ShardLeadership& now = records[i].leadership;
    EXPECT_EQ(now.isr.size(), 2u);
    EXPECT_EQ(std::count(now.isr.begin(), now.isr.end(), "n3"), 0);
    EXPECT_EQ(now.replicas, was.replicas) << "the lost node stays a replica";
    if (was.leader == "n3") {
      EXPECT_NE(now.leader, "n3");
      EXPECT_EQ(now.leader_epoch, was.leader_epoch + 1);
    } else {
      EXPECT_EQ(now.leader, was.leader);
      EXPECT_EQ(now.leader_epoch, was.leader_epoch);
    }
  }
  EXPECT_EQ(LeadersPerNode(records), (std::map<std::string, int>{{"n1", 3}, {"n2", 3}}));
}

TEST(LeadershipPlanTest, NoLeaderIsElectedOutsideTheIsr) {
  std::vector<ShardRecord> records = Unassigned(1);
  records[0].leadership = {"n1", 4, {"n1", "n2", "n3"}, {"n1"}};
  Apply(records, PlanLeadership(records, {"n2", "n3"}, 3));
  EXPECT_TRUE(records[0].leadership.leaderless());
  EXPECT_EQ(records[0].leadership.leader_epoch, 5);
  EXPECT_EQ(records[0].leadership.isr, std::vector<std::string>{"n1"}) << "the last in-sync member stays";
  EXPECT_TRUE(PlanLeadership(records, {"n2", "n3"}, 3).empty());
  Apply(records, PlanLeadership(records, {"n1", "n2", "n3"}, 3));
  EXPECT_EQ(records[0].leadership.leader, "n1") << "its return leads again";
  EXPECT_EQ(records[0].leadership.leader_epoch, 6);
}

TEST(LeadershipPlanTest, APreferredLeaderBackInTheIsrLeadsAgain) {
  std::vector<ShardRecord> records = Unassigned(1);
  records[0].leadership = {"n2", 2, {"n1", "n2", "n3"}, {"n2", "n3", "n1"}};
  Apply(records, PlanLeadership(records, {"n1", "n2", "n3"}, 3));
  EXPECT_EQ(records[0].leadership.leader, "n1");
  EXPECT_EQ(records[0].leadership.leader_epoch, 3);
}

// One shard's record, as the plan would change it, over a few rounds.
ShardLeadership Planned(const ShardLeadership& current, const std::set<std::string>& live,
                        const std::set<std::string>& decommissioned) {
  std::vector<ShardRecord> records = Unassigned(1);
  records[0].leadership = current;
  Apply(records, PlanLeadership(records, live, 3, decommissioned));
  return records[0].leadership;
}

using Names = std::vector<std::string>;

TEST(LeadershipPlanTest, ADecommissionedNodeGetsNoNewReplicas) {
  std::vector<ShardRecord> records = Unassigned(6);
  Apply(records, PlanLeadership(records, {"n1", "n2", "n3", "n4"}, 3, {"n4"}));
  for (const ShardRecord& r : records) {
    EXPECT_EQ(r.leadership.replicas.size(), 3u);
    EXPECT_EQ(std::count(r.leadership.replicas.begin(), r.leadership.replicas.end(), "n4"), 0);
  }
  records = Unassigned(1);
  EXPECT_TRUE(PlanLeadership(records, {"n1"}, 3, {"n1"}).empty()) << "no node may hold it: it stays unassigned";
}

TEST(LeadershipPlanTest, AReplacementIsAddedOutsideTheIsrBesideTheDecommissionedReplicaWithTheSameLeaderAndEpoch) {
  const ShardLeadership added =
      Planned({"n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}}, {"n1", "n2", "n3", "n4"}, {"n2"});
  EXPECT_EQ(added.replicas, (Names{"n1", "n2", "n4", "n3"}));
  EXPECT_EQ(added.isr, (Names{"n1", "n2", "n3"}));
  EXPECT_EQ(added.removing, Names{"n2"});
  EXPECT_EQ(added.leader, "n1");
  EXPECT_EQ(added.leader_epoch, 1);
  EXPECT_EQ(Planned(added, {"n1", "n2", "n3", "n4"}, {"n2"}), added) << "nothing more until the replacement syncs";
}

TEST(LeadershipPlanTest, TheDecommissionedReplicaIsDroppedOnlyOnceItsReplacementIsInTheIsr) {
  const std::set<std::string> live{"n1", "n2", "n3", "n4"};
  ShardLeadership l = Planned({"n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}}, live, {"n3"});
  ASSERT_EQ(l.replicas, (Names{"n1", "n2", "n3", "n4"}));
  EXPECT_EQ(l.isr.size(), 3u) << "the ISR does not lose n3 before n4 is in sync";
  l.isr.push_back("n4");  // the leader's replication adds it once it caught up
  l = Planned(l, live, {"n3"});
  EXPECT_EQ(l.replicas, (Names{"n1", "n2", "n4"}));
  EXPECT_EQ(l.isr, (Names{"n1", "n2", "n4"}));
  EXPECT_TRUE(l.removing.empty());
  EXPECT_EQ(l.leader, "n1");
  EXPECT_EQ(l.leader_epoch, 1) << "the leader did not change";
  EXPECT_EQ(Planned(l, live, {"n3"}), l) << "settled";
}

TEST(LeadershipPlanTest, ADecommissionedLeaderHandsOverToItsReplacementAsThePreferredLeaderWithTheNextEpoch) {
  const std::set<std::string> live{"n1", "n2", "n3", "n4"};
  ShardLeadership l = Planned({"n1", 3, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}}, live, {"n1"});
  EXPECT_EQ(l.replicas, (Names{"n1", "n4", "n2", "n3"}));
  EXPECT_EQ(l.leader, "n1") << "it leads until its replacement is in sync";
  EXPECT_EQ(l.leader_epoch, 3);
  l.isr.push_back("n4");
  l = Planned(l, live, {"n1"});
  EXPECT_EQ(l.replicas, (Names{"n4", "n2", "n3"}));
  EXPECT_EQ(l.isr, (Names{"n2", "n3", "n4"}));
  EXPECT_EQ(l.leader, "n4");
  EXPECT_EQ(l.leader_epoch, 4);
  EXPECT_EQ(Planned(l, live, {"n1"}), l) << "the preferred leader leads: no rebalance follows";
}

TEST(LeadershipPlanTest, TheReplacementIsTheEligibleNodeHoldingFewestReplicas) {
  std::vector<ShardRecord> records = Unassigned(2);
  records[0].leadership = {"n1", 1, {"n1", "n2"}, {"n1", "n2"}};
  records[1].leadership = {"n4", 1, {"n4"}, {"n4"}};
  Apply(records, PlanLeadership(records, {"n1", "n2", "n3", "n4", "n5"}, 3, {"n1", "n3"}));
  EXPECT_EQ(records[0].leadership.replicas, (Names{"n1", "n5", "n2"})) << "not n3 (decommissioned), not n4 (busier)";
  EXPECT_EQ(records[1].leadership.replicas, Names{"n4"});
}

TEST(LeadershipPlanTest, WithNoOtherLiveNodeNothingMoves) {
  const ShardLeadership l{"n3", 2, {"n3", "n1", "n2"}, {"n3", "n1", "n2"}};
  EXPECT_EQ(Planned(l, {"n1", "n2", "n3"}, {"n3"}), l) << "n4 is down: no replacement, n3 keeps replica and lead";
  std::vector<ShardRecord> records = Unassigned(1);
  records[0].leadership = l;
  EXPECT_TRUE(PlanLeadership(records, {"n1", "n2", "n3"}, 3, {"n3"}).empty());
}

TEST(LeadershipPlanTest, ADecommissionedNodeThatIsDownIsReplacedTheSameWay) {
  const std::set<std::string> live{"n1", "n2", "n4"};
  ShardLeadership l = Planned({"n3", 5, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}}, live, {"n3"});
  EXPECT_EQ(l.isr, (Names{"n1", "n2"})) << "n3 left the ISR: it is not live";
  EXPECT_EQ(l.leader, "n1");
  EXPECT_EQ(l.leader_epoch, 6);
  EXPECT_EQ(l.replicas, (Names{"n1", "n2", "n3", "n4"}));
  l.isr.push_back("n4");
  l = Planned(l, live, {"n3"});
  EXPECT_EQ(l.replicas, (Names{"n1", "n2", "n4"}));
  EXPECT_EQ(l.isr, (Names{"n1", "n2", "n4"}));
  EXPECT_EQ(l.leader_epoch, 6);
}

TEST(LeadershipPlanTest, TheDropWaitsForEveryOtherReplicaToBeInSyncSoTheIsrNeverShrinks) {
  const std::set<std::string> live{"n1", "n2", "n3", "n4"};
  ShardLeadership l = Planned({"n1", 1, {"n1", "n2", "n3"}, {"n1", "n3"}}, live, {"n3"});
  l.isr.push_back("n4");
  l = Planned(l, live, {"n3"});
  EXPECT_EQ(l.replicas, (Names{"n1", "n2", "n3", "n4"})) << "n2 is behind: dropping n3 would leave an ISR of two";
  l.isr.push_back("n2");
  l = Planned(l, live, {"n3"});
  EXPECT_EQ(l.isr, (Names{"n1", "n4", "n2"}));
}

TEST(LeadershipPlanTest, LeadershipGoesToADecommissionedNodeOnlyWhenNoOtherIsrMemberIsLive) {
  // The preferred leader is decommissioned: no rebalance back to it.
  EXPECT_EQ(Planned({"n2", 4, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}}, {"n1", "n2", "n3"}, {"n1"}).leader, "n2");
  // The leader is lost: an ISR member that is not decommissioned takes over.
  const ShardLeadership l = Planned({"n3", 4, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}}, {"n1", "n2"}, {"n1"});
  EXPECT_EQ(l.leader, "n2");
  EXPECT_EQ(l.leader_epoch, 5);
  // Only a decommissioned member is live: it leads rather than no one.
  EXPECT_EQ(Planned({"n3", 4, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}}, {"n1"}, {"n1"}).leader, "n1");
}

TEST(LeadershipPlanTest, ACancelledDecommissionKeepsTheReplicaAndItsReplacement) {
  const std::set<std::string> live{"n1", "n2", "n3", "n4"};
  ShardLeadership l = Planned({"n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}}, live, {"n3"});
  ASSERT_EQ(l.removing, Names{"n3"});
  l = Planned(l, live, {});
  EXPECT_EQ(l.replicas, (Names{"n1", "n2", "n3", "n4"}));
  EXPECT_TRUE(l.removing.empty());
  l.isr.push_back("n4");
  EXPECT_EQ(Planned(l, live, {}), l) << "n3 is not dropped once the mark is gone";
}

TEST(ShardLeadershipTest, RecordsAndKeysRoundTrip) {
  ShardLeadership in{"n1", 7, {"n1", "n2"}, {"n1"}};
  Result<ShardLeadership> out = ParseShardLeadership(EncodeShardLeadership(in));
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, in);
  ShardId id{"123456789012", "eu-west-1", "my.stream-1", 1796000000000, 12};
  EXPECT_EQ(ShardLeadershipKey(id), "/sluice/v1/shards/123456789012/eu-west-1/my.stream-1/1796000000000/12");
  Result<ShardId> parsed = ParseShardLeadershipKey(ShardLeadershipKey(id));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, id);
  EXPECT_FALSE(ParseShardLeadershipKey("/sluice/v1/shards/a/b/c/1").ok());
  EXPECT_FALSE(ParseShardLeadershipKey("/sluice/v1/shards/a/b/c/x/1").ok());
  EXPECT_FALSE(ParseShardLeadership("{\"leader\":\"n1\"}").ok());
  ShardLeadership moving{"n1", 7, {"n1", "n2", "n3"}, {"n1", "n2"}, {"n2"}};
  EXPECT_EQ(EncodeShardLeadership(in).find("removing"), std::string::npos) << "written only while replicas move";
  Result<ShardLeadership> moved = ParseShardLeadership(EncodeShardLeadership(moving));
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(*moved, moving);
}

}  // namespace
}  // namespace sluice::cluster
