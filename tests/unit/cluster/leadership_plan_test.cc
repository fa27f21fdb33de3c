// The controller's rules (leadership_plan.h), without etcd.
#include "cluster/leadership_plan.h"

#include <gtest/gtest.h>

#include <map>

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
}

}  // namespace
}  // namespace sluice::cluster
