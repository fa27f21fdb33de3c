// The coordinator over a real in-memory engine: balance, hand-over, session
// expiry, lineage gating after a split and a merge, fencing.
#include "groups/coordinator.h"

#include <gtest/gtest.h>

#include "groups/member_errors.h"
#include "groups_test_util.h"

namespace sluice::groups {
namespace {

using engine::testing::PutOne;
using testing::CoordinatorTest;

const HashKey kMiddle = HashKey{1} << 127;

TEST_F(CoordinatorTest, ThreeMembersShareSixShardsTwoEach) {
  CreateStream(6);
  Join("a");
  Join("b");
  Join("c");
  // The first members hand over what moved at their next heartbeat.
  for (const char* m : {"a", "b", "c"}) Heartbeat(m);
  size_t total = 0;
  for (const char* m : {"a", "b", "c"}) {
    MemberView v = Heartbeat(m);
    EXPECT_EQ(v.assignment.size(), 2u) << m;
    total += v.assignment.size();
  }
  EXPECT_EQ(total, 6u);
}

TEST_F(CoordinatorTest, AMovedShardGoesToItsNewMemberOnlyAfterTheOldOwnersHeartbeat) {
  CreateStream(4);
  EXPECT_EQ(Join("a").assignment.size(), 4u);
  MemberView b = Join("b");
  EXPECT_TRUE(b.assignment.empty()) << "a has not yet acknowledged";
  EXPECT_TRUE(Heartbeat("b").assignment.empty());
  auto described = coordinator_->Describe(key_);
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->state, GroupState::kRebalancing);

  MemberView a = Heartbeat("a");
  EXPECT_TRUE(a.rebalance_needed);
  EXPECT_EQ(a.assignment.size(), 2u);
  MemberView b2 = Heartbeat("b");
  EXPECT_TRUE(b2.rebalance_needed);
  EXPECT_EQ(b2.assignment.size(), 2u);
  EXPECT_FALSE(Heartbeat("a").rebalance_needed);
  EXPECT_EQ(coordinator_->Describe(key_)->state, GroupState::kStable);
}

TEST_F(CoordinatorTest, AMemberThatStopsHeartbeatingLosesItsShardsAtItsSessionTimeout) {
  CreateStream(4);
  Join("a", 3000);
  Join("b", 3000);
  Heartbeat("a");
  ASSERT_EQ(Heartbeat("b").assignment.size(), 2u);
  clock_.Advance(2000);
  Heartbeat("b");
  coordinator_->ExpireSessions();
  EXPECT_EQ(Heartbeat("b").assignment.size(), 2u) << "a's session has not ended yet";
  clock_.Advance(1500);  // 3.5 s since a's last heartbeat, 1.5 s since b's
  coordinator_->ExpireSessions();
  EXPECT_EQ(Heartbeat("b").assignment.size(), 4u);
  Result<MemberView> a = coordinator_->Heartbeat(key_, "a");
  EXPECT_EQ(MemberErrorType(a.status()), "UnknownMemberException");
}

TEST_F(CoordinatorTest, ChildrenOfASplitAreHandedOutOnlyAfterTheParentsShardEnd) {
  CreateStream(1);
  PutOne(*engine_, stream_, "k", "one");
  const std::string last = PutOne(*engine_, stream_, "k", "two");
  ASSERT_TRUE(engine_->control().SplitShard(stream_, "shardId-000000000000", kMiddle).ok());
  MemberView a = Join("a");
  ASSERT_EQ(Ids(a), std::vector<std::string>{"shardId-000000000000"});

  EXPECT_EQ(Commit("a", a.generation, "shardId-000000000000", last).code(), ErrorCode::kOk);
  EXPECT_EQ(Ids(Heartbeat("a")), std::vector<std::string>{"shardId-000000000000"}) << "checkpointed, not finished";

  ASSERT_TRUE(Commit("a", a.generation, "shardId-000000000000", last, /*shard_end=*/true).ok());
  MemberView after = Heartbeat("a");
  EXPECT_TRUE(after.rebalance_needed);
  EXPECT_GT(after.generation, a.generation);
  EXPECT_EQ(Ids(after), (std::vector<std::string>{"shardId-000000000001", "shardId-000000000002"}));
}

TEST_F(CoordinatorTest, AChildMadeInItsParentsFirstSecondTakesCheckpointsOfItsRecords) {
  CreateStream(1);
  // Split at the stream's creation time: the children's sequence numbers carry
  // the next second (engine/stream_meta.h), not the second they opened in.
  ASSERT_TRUE(engine_->control().SplitShard(stream_, "shardId-000000000000", kMiddle).ok());
  MemberView a = Join("a");
  ASSERT_TRUE(Commit("a", a.generation, "shardId-000000000000", std::nullopt, /*shard_end=*/true).ok());
  MemberView children = Heartbeat("a");
  ASSERT_EQ(Ids(children), (std::vector<std::string>{"shardId-000000000001", "shardId-000000000002"}));
  auto put = engine::testing::PutSync(*engine_, stream_, {{"k", "child", HashKey{0}}});
  ASSERT_TRUE(put.ok());
  EXPECT_EQ(
      Commit("a", children.generation, "shardId-000000000001", std::string(engine::ToView((*put)[0].sequence_number)))
          .code(),
      ErrorCode::kOk);
}

TEST_F(CoordinatorTest, TheChildOfAMergeWaitsForBothParents) {
  CreateStream(2);
  ASSERT_TRUE(engine_->control().MergeShards(stream_, "shardId-000000000000", "shardId-000000000001").ok());
  MemberView a = Join("a");
  ASSERT_EQ(Ids(a), (std::vector<std::string>{"shardId-000000000000", "shardId-000000000001"}));
  // Both parents are empty: a ShardEnd checkpoint without a sequence number.
  ASSERT_TRUE(Commit("a", a.generation, "shardId-000000000000", std::nullopt, true).ok());
  EXPECT_EQ(Ids(Heartbeat("a")), std::vector<std::string>{"shardId-000000000001"});
  ASSERT_TRUE(Commit("a", a.generation, "shardId-000000000001", std::nullopt, true).ok());
  EXPECT_EQ(Ids(Heartbeat("a")), std::vector<std::string>{"shardId-000000000002"});
}

TEST_F(CoordinatorTest, ShardEndIsRefusedOnAnOpenShardOrBeforeItsLastRecord) {
  CreateStream(1);
  const std::string first = PutOne(*engine_, stream_, "k", "one");
  PutOne(*engine_, stream_, "k", "two");
  MemberView a = Join("a");
  EXPECT_EQ(Commit("a", a.generation, "shardId-000000000000", first, true).code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(engine_->control().SplitShard(stream_, "shardId-000000000000", kMiddle).ok());
  EXPECT_EQ(Commit("a", a.generation, "shardId-000000000000", first, true).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Commit("a", a.generation, "shardId-000000000000", "49" + std::string(54, '1')).code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(CoordinatorTest, AMemberThatLostItsShardIsFenced) {
  CreateStream(2);
  std::map<std::string, std::string> seq;  // one record on each shard
  for (HashKey at : {HashKey{0}, kMiddle}) {
    auto put = engine::testing::PutSync(*engine_, stream_, {{"k", "x", at}});
    ASSERT_TRUE(put.ok());
    seq[engine::ShardIdFor((*put)[0].shard_index)] = std::string(engine::ToView((*put)[0].sequence_number));
  }
  MemberView a = Join("a");
  ASSERT_EQ(a.assignment.size(), 2u);
  Join("b");
  MemberView a2 = Heartbeat("a");  // hands one shard over to b
  ASSERT_EQ(a2.assignment.size(), 1u);
  MemberView b = Heartbeat("b");
  ASSERT_EQ(b.assignment.size(), 1u);
  const std::string moved = b.assignment[0].shard_id;

  EXPECT_EQ(MemberErrorType(Commit("a", a2.generation, moved, seq[moved])), "FencedMemberException");
  // b was given the shard at b.generation: an older generation is fenced.
  EXPECT_EQ(MemberErrorType(Commit("b", b.generation - 1, moved, seq[moved])), "FencedMemberException");
  EXPECT_TRUE(Commit("b", b.generation, moved, seq[moved]).ok());
  const std::string kept = a2.assignment[0].shard_id;
  EXPECT_TRUE(Commit("a", a2.generation, kept, seq[kept]).ok());
  // A member that left owns nothing.
  ASSERT_TRUE(coordinator_->Leave(key_, "a").ok());
  EXPECT_EQ(MemberErrorType(Commit("a", a2.generation, kept, seq[kept])), "UnknownMemberException");
}

TEST_F(CoordinatorTest, DeleteIsRefusedWhileMembersRemain) {
  CreateStream(1);
  Join("a");
  std::promise<Status> refused;
  coordinator_->Delete(key_, [&refused](Status s) { refused.set_value(s); });
  EXPECT_EQ(refused.get_future().get().code(), ErrorCode::kResourceInUse);
  ASSERT_TRUE(coordinator_->Leave(key_, "a").ok());
  std::promise<Status> deleted;
  coordinator_->Delete(key_, [&deleted](Status s) { deleted.set_value(s); });
  EXPECT_TRUE(deleted.get_future().get().ok());
  EXPECT_EQ(coordinator_->Describe(key_).status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(CoordinatorTest, DeletingTheStreamDeletesItsGroups) {
  CreateStream(1);
  Join("a");
  ASSERT_TRUE(engine_->control().DeleteStream(stream_, false).ok());
  clock_.Advance(2000);
  coordinator_->ExpireSessions();
  EXPECT_EQ(store_->Find(key_), nullptr);
}

TEST_F(CoordinatorTest, APushedMemberIsToldItsAssignmentAndHandsOverAtOnce) {
  CreateStream(2);
  Join("a");
  std::vector<std::vector<AssignedShard>> told;
  ASSERT_TRUE(coordinator_
                  ->Attach(key_, "a",
                           [&told](int64_t, const std::vector<AssignedShard>& shards, const Status&) {
                             told.push_back(shards);
                           })
                  .ok());
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].size(), 2u);
  MemberView b = Join("b");
  EXPECT_EQ(b.assignment.size(), 1u) << "a pushed member does not wait for a heartbeat";
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told[1].size(), 1u);
}

// Records what a pushed member is told.
struct Told {
  std::vector<size_t> shard_counts;
  std::vector<Status> endings;
  AssignmentListener Listener() {
    return [this](int64_t, const std::vector<AssignedShard>& shards, const Status& ended) {
      if (ended.ok()) shard_counts.push_back(shards.size());
      if (!ended.ok()) endings.push_back(ended);
    };
  }
};

TEST_F(CoordinatorTest, APushedMemberThatLeavesIsToldItsPushEnded) {
  CreateStream(2);
  Join("a");
  Told told;
  ASSERT_TRUE(coordinator_->Attach(key_, "a", told.Listener()).ok());
  ASSERT_TRUE(coordinator_->Leave(key_, "a").ok());
  ASSERT_EQ(told.endings.size(), 1u);
  EXPECT_EQ(MemberErrorType(told.endings[0]), "UnknownMemberException");
}

TEST_F(CoordinatorTest, TheMembersOfAGroupAnotherNodeCoordinatesNowGoAndThePushedOnesAreTold) {
  bool here = true;
  coordinator_ = std::make_unique<Coordinator>(
      *engine_, *store_,
      CoordinatorOptions{.clock = &clock_, .coordinates_here = [&here](const GroupKey&) { return here; }});
  CreateStream(2);
  Join("a");
  Join("b");
  Told told;
  ASSERT_TRUE(coordinator_->Attach(key_, "a", told.Listener()).ok());
  clock_.Advance(1000);
  coordinator_->ExpireSessions();
  EXPECT_TRUE(told.endings.empty());

  here = false;
  clock_.Advance(1000);
  coordinator_->ExpireSessions();
  ASSERT_EQ(told.endings.size(), 1u);
  EXPECT_EQ(MemberErrorType(told.endings[0]), "UnknownMemberException");
  Result<MemberView> b = coordinator_->Heartbeat(key_, "b");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(MemberErrorType(b.status()), "UnknownMemberException");
}

TEST_F(CoordinatorTest, ASecondAttachEndsTheFirstAndTheFirstsDetachLeavesTheSecondInPlace) {
  CreateStream(2);
  Join("a", 1000);
  Told first, second;
  Result<uint64_t> one = coordinator_->Attach(key_, "a", first.Listener());
  ASSERT_TRUE(one.ok());
  Result<uint64_t> two = coordinator_->Attach(key_, "a", second.Listener());
  ASSERT_TRUE(two.ok());
  ASSERT_EQ(first.endings.size(), 1u);
  EXPECT_EQ(first.endings[0].code(), ErrorCode::kResourceInUse);
  coordinator_->Detach(key_, "a", *one);
  clock_.Advance(5000);
  coordinator_->ExpireSessions();
  EXPECT_TRUE(coordinator_->Heartbeat(key_, "a").ok()) << "still pushed: the session is held";
  EXPECT_TRUE(second.endings.empty());
}

TEST_F(CoordinatorTest, ADetachedMembersSessionRunsFromTheDetach) {
  CreateStream(2);
  Join("a", 1000);
  Told told;
  Result<uint64_t> id = coordinator_->Attach(key_, "a", told.Listener());
  ASSERT_TRUE(id.ok());
  clock_.Advance(5000);
  coordinator_->ExpireSessions();
  ASSERT_TRUE(coordinator_->Describe(key_).ok());
  EXPECT_EQ(coordinator_->Describe(key_)->members.size(), 1u) << "attached members do not expire";
  coordinator_->Detach(key_, "a", *id);
  clock_.Advance(500);
  coordinator_->ExpireSessions();
  EXPECT_EQ(coordinator_->Describe(key_)->members.size(), 1u);
  clock_.Advance(600);
  coordinator_->ExpireSessions();
  EXPECT_TRUE(coordinator_->Describe(key_)->members.empty());
}

}  // namespace
}  // namespace sluice::groups
