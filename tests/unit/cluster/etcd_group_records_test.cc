// EtcdGroupRecords (etcd_group_records.h) against a real etcd: the groups'
// records and checkpoints shared by the nodes that take a group in turn, and
// the writes of a node another has taken the group from refused.
#include "cluster/etcd_group_records.h"

#include <gtest/gtest.h>

#include <set>

#include "cluster/etcd_fixture.h"
#include "cluster/group_placement.h"

namespace sluice::cluster {
namespace {

const groups::GroupKey kGroup{"123456789012", "us-east-1", "orders", "billing"};

groups::GroupRecord Record(const groups::GroupKey& key) {
  return groups::GroupRecord{key, 1796000000000, groups::InitialPosition::kLatest, 1796000001000};
}

groups::Checkpoint At(const std::string& shard, const std::string& sequence) {
  return groups::Checkpoint{shard, sequence, false, 1796000002000};
}

class EtcdGroupRecordsTest : public testing::EtcdFixture {
 protected:
  // A node's records; its live nodes are whatever `live_` says then.
  std::unique_ptr<EtcdGroupRecords> Node(const std::string& id) {
    return std::make_unique<EtcdGroupRecords>(*client_, id, [this] { return live_; });
  }
  std::string live_ = "n1,n2,n3,";
};

TEST_F(EtcdGroupRecordsTest, ANodeTakingAGroupOverReadsTheCheckpointsAnotherWrote) {
  auto n1 = Node("n1");
  ASSERT_TRUE(*n1->Claim(kGroup));
  ASSERT_TRUE(n1->PutGroup(Record(kGroup)).ok());
  ASSERT_TRUE(n1->PutCheckpoint(kGroup, At("shardId-000000000000", "49001")).ok());
  ASSERT_TRUE(n1->PutCheckpoint(kGroup, At("shardId-000000000001", "49002")).ok());

  auto n2 = Node("n2");
  Result<bool> took = n2->Claim(kGroup);
  ASSERT_TRUE(took.ok()) << took.status().ToString();
  EXPECT_TRUE(*took);  // read from etcd: the members n2 held, if any, are stale
  const groups::StoredGroup* group = n2->Find(kGroup);
  ASSERT_NE(group, nullptr);
  EXPECT_EQ(group->record.initial_position, groups::InitialPosition::kLatest);
  EXPECT_EQ(group->record.stream_creation_ms, 1796000000000);
  ASSERT_EQ(group->checkpoints.size(), 2u);
  EXPECT_EQ(group->checkpoints.at("shardId-000000000001").sequence_number, "49002");
}

TEST_F(EtcdGroupRecordsTest, ACheckpointFromANodeTheGroupWasTakenFromIsRefusedAndNotWritten) {
  auto n1 = Node("n1");
  ASSERT_TRUE(n1->Claim(kGroup).ok());
  ASSERT_TRUE(n1->PutGroup(Record(kGroup)).ok());
  auto n2 = Node("n2");
  ASSERT_TRUE(n2->Claim(kGroup).ok());
  ASSERT_TRUE(n2->PutCheckpoint(kGroup, At("shardId-000000000000", "49005")).ok());

  // n1 still believes it coordinates (its live nodes did not change).
  Result<uint64_t> stale = n1->PutCheckpoint(kGroup, At("shardId-000000000000", "49003"));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), ErrorCode::kServiceUnavailable);
  EXPECT_NE(stale.status().message().find("another node coordinates the group now"), std::string::npos)
      << stale.status().message();
  EXPECT_EQ(n1->Find(kGroup), nullptr);  // forgotten: the next claim reads it again

  auto n3 = Node("n3");
  ASSERT_TRUE(n3->Claim(kGroup).ok());
  EXPECT_EQ(n3->Find(kGroup)->checkpoints.at("shardId-000000000000").sequence_number, "49005");
  // n1 takes it back and reads what the others wrote.
  ASSERT_TRUE(*n1->Claim(kGroup));
  EXPECT_EQ(n1->Find(kGroup)->checkpoints.at("shardId-000000000000").sequence_number, "49005");
}

TEST_F(EtcdGroupRecordsTest, AClaimHoldsUntilTheLiveNodesChangeAndIsThenCheckedAgain) {
  auto n1 = Node("n1");
  ASSERT_TRUE(*n1->Claim(kGroup));
  ASSERT_TRUE(n1->PutGroup(Record(kGroup)).ok());
  EXPECT_FALSE(*n1->Claim(kGroup));
  live_ = "n1,n3,";
  EXPECT_FALSE(*n1->Claim(kGroup));  // nobody else took it: still n1's, its members kept

  auto n2 = Node("n2");
  ASSERT_TRUE(*n2->Claim(kGroup));
  EXPECT_FALSE(*n1->Claim(kGroup));  // the same live nodes: n1 does not look
  live_ = "n1,";
  EXPECT_TRUE(*n1->Claim(kGroup));  // they changed: n1 finds n2 took it, and takes it back
}

TEST_F(EtcdGroupRecordsTest, GroupsOfListsEveryGroupOfTheStreamWhoeverTookThem) {
  auto n1 = Node("n1");
  auto n2 = Node("n2");
  const groups::GroupKey other{kGroup.account, kGroup.region, kGroup.stream, "audit"};
  const groups::GroupKey longer_name{kGroup.account, kGroup.region, "orders2", "billing"};
  ASSERT_TRUE(n1->Claim(kGroup).ok());
  ASSERT_TRUE(n1->PutGroup(Record(kGroup)).ok());
  ASSERT_TRUE(n1->PutCheckpoint(kGroup, At("shardId-000000000000", "49001")).ok());
  ASSERT_TRUE(n2->Claim(other).ok());
  ASSERT_TRUE(n2->PutGroup(Record(other)).ok());
  ASSERT_TRUE(n2->Claim(longer_name).ok());
  ASSERT_TRUE(n2->PutGroup(Record(longer_name)).ok());

  Result<std::vector<groups::GroupRecord>> listed = n1->GroupsOf(kGroup.stream_ref());
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key.group, "audit");
  EXPECT_EQ((*listed)[1].key.group, "billing");
}

TEST_F(EtcdGroupRecordsTest, ADeletedGroupTakesItsCheckpointsWithIt) {
  auto n1 = Node("n1");
  ASSERT_TRUE(n1->Claim(kGroup).ok());
  ASSERT_TRUE(n1->PutGroup(Record(kGroup)).ok());
  ASSERT_TRUE(n1->PutCheckpoint(kGroup, At("shardId-000000000000", "49001")).ok());
  ASSERT_TRUE(n1->DeleteGroup(kGroup).ok());
  Result<RangeResult> left = client_->GetPrefix(GroupKeyPrefix(kGroup));
  ASSERT_TRUE(left.ok());
  ASSERT_EQ(left->kvs.size(), 1u);  // the coordinator key alone
  EXPECT_EQ(left->kvs[0].key, GroupKeyPrefix(kGroup) + "coordinator");

  auto n2 = Node("n2");
  ASSERT_TRUE(n2->Claim(kGroup).ok());
  EXPECT_EQ(n2->Find(kGroup), nullptr);
}

TEST_F(EtcdGroupRecordsTest, AClaimWhenEtcdDoesNotAnswerIsServiceUnavailable) {
  auto n1 = Node("n1");
  ASSERT_TRUE(n1->Claim(kGroup).ok());
  ASSERT_TRUE(n1->PutGroup(Record(kGroup)).ok());
  etcd_.Stop();
  auto quick = testing::MakeClient({etcd_.endpoint()}, /*call_ms=*/500);
  EtcdGroupRecords unanswered(*quick, "n2", [] { return std::string("n2,"); });
  Result<bool> claim = unanswered.Claim(kGroup);
  ASSERT_FALSE(claim.ok());
  EXPECT_EQ(claim.status().code(), ErrorCode::kServiceUnavailable);
  EXPECT_NE(claim.status().message().find("did not answer in time; try again."), std::string::npos)
      << claim.status().message();
}

TEST(RendezvousGroupPlacementTest, AGroupMovesOnlyWhenItsCoordinatorLeaves) {
  const std::vector<std::string> three{"n1", "n2", "n3"};
  auto best = [](const std::vector<std::string>& nodes, const groups::GroupKey& key) {
    std::string out;
    uint64_t top = 0;
    for (const std::string& n : nodes) {
      if (out.empty() || RendezvousScore(n, key) > top) {
        out = n;
        top = RendezvousScore(n, key);
      }
    }
    return out;
  };
  std::set<std::string> used;
  int moved = 0;
  for (int i = 0; i < 300; ++i) {
    groups::GroupKey key{"123456789012", "us-east-1", "orders", "g" + std::to_string(i)};
    const std::string before = best(three, key);
    used.insert(before);
    const std::string after = best({"n1", "n2"}, key);
    if (before != "n3") EXPECT_EQ(after, before) << key.group;
    moved += before != after;
  }
  EXPECT_EQ(used.size(), 3u);  // every node coordinates some group
  EXPECT_GT(moved, 50);        // about a third: n3's
  EXPECT_LT(moved, 150);
}

TEST(RendezvousGroupPlacementTest, NoCoordinatorIsKnownBeforeTheNodeHasJoined) {
  RendezvousGroupPlacement placement("n1");
  Result<groups::GroupCoordinator> none = placement.CoordinatorOf(kGroup);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), ErrorCode::kServiceUnavailable);
  EXPECT_EQ(placement.LiveNodes(), "");
}

}  // namespace
}  // namespace sluice::cluster
