#include "client/group_calls.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "client/group_membership.h"

namespace sluice::client {
namespace {

// Answers every call with `answer`; keeps each request's target and body.
class Scripted final : public Transport {
 public:
  explicit Scripted(HttpReply answer) : answer_(std::move(answer)) {}
  Outcome<HttpReply> CallApi(const JsonApi& api, std::string_view operation, std::string_view body) override {
    targets.push_back(std::string(api.target_prefix) + "." + std::string(operation));
    bodies.emplace_back(body);
    return answer_;
  }
  std::vector<std::string> targets, bodies;

 private:
  HttpReply answer_;
};

TEST(GroupCalls, AnAssignmentEventReadsItsGenerationAndStartingPositions) {
  Outcome<GroupAssignmentEvent> a = ParseAssignmentEvent(
      R"({"Generation":4,"Assignment":[)"
      R"({"ShardId":"shardId-000000000003","StartingPosition":{"Type":"AFTER_SEQUENCE_NUMBER","SequenceNumber":"49"}}]})");
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->generation, 4);
  ASSERT_EQ(a->assignment.size(), 1u);
  EXPECT_EQ(a->assignment[0].shard_id, "shardId-000000000003");
  EXPECT_EQ(a->assignment[0].start.sequence_number, "49");
  EXPECT_FALSE(ParseAssignmentEvent(R"({"Generation":4})").ok()) << "an assignment event names its assignment";
}

TEST(GroupCalls, AShardEndEventNamesItsShardAndChildren) {
  Outcome<GroupShardEvent> e =
      ParseGroupShardEvent(R"({"ShardId":"shardId-000000000000","ChildShardIds":["shardId-000000000002"]})");
  ASSERT_TRUE(e.ok()) << e.error().ToString();
  EXPECT_EQ(e->shard_id, "shardId-000000000000");
  EXPECT_EQ(e->child_shard_ids, std::vector<std::string>{"shardId-000000000002"});
  EXPECT_FALSE(ParseGroupShardEvent(R"({"Records":[]})").ok()) << "a shard event names its shard";
}

TEST(GroupCalls, JoinGroupReadsTheAssignmentAndItsStartingPositions) {
  Outcome<GroupJoined> j = ParseJoinGroupAnswer(
      R"({"GroupName":"g","MemberId":"m-1","Generation":7,"SessionTimeoutMillis":9000,)"
      R"("HeartbeatIntervalMillis":3000,"Assignment":[)"
      R"({"ShardId":"shardId-000000000000","StartingPosition":{"Type":"AFTER_SEQUENCE_NUMBER","SequenceNumber":"49"}},)"
      R"({"ShardId":"shardId-000000000001","StartingPosition":{"Type":"TRIM_HORIZON"}},)"
      R"({"ShardId":"shardId-000000000002","StartingPosition":{"Type":"LATEST"}}]})");
  ASSERT_TRUE(j.ok()) << j.error().ToString();
  EXPECT_EQ(j->member_id, "m-1");
  EXPECT_EQ(j->generation, 7);
  EXPECT_EQ(j->session_timeout_ms, 9000);
  EXPECT_EQ(j->heartbeat_interval_ms, 3000);
  ASSERT_EQ(j->assignment.size(), 3u);
  EXPECT_EQ(j->assignment[0].start.type, StartType::kAfterSequenceNumber);
  EXPECT_EQ(j->assignment[0].start.sequence_number, "49");
  EXPECT_EQ(j->assignment[1].start.type, StartType::kTrimHorizon);
  EXPECT_EQ(j->assignment[2].start.type, StartType::kLatest);
}

TEST(GroupCalls, AnUnknownStartingPositionIsAProtocolError) {
  Outcome<GroupHeartbeat> h = ParseHeartbeatAnswer(
      R"({"Generation":1,"Assignment":[{"ShardId":"s","StartingPosition":{"Type":"AT_TIMESTAMP"}}]})");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().type, "ProtocolError");
}

TEST(GroupCalls, AHeartbeatWithoutAssignmentIsAProtocolError) {
  Outcome<GroupHeartbeat> h = ParseHeartbeatAnswer(R"({"Generation":1,"RebalanceNeeded":true})");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().type, "ProtocolError");
}

TEST(GroupCalls, HeartbeatReadsRebalanceNeededAndTheInterval) {
  Outcome<GroupHeartbeat> h =
      ParseHeartbeatAnswer(R"({"Generation":4,"RebalanceNeeded":true,"HeartbeatIntervalMillis":1000,"Assignment":[]})");
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_TRUE(h->rebalance_needed);
  EXPECT_EQ(h->generation, 4);
  EXPECT_EQ(h->heartbeat_interval_ms, 1000);
  EXPECT_TRUE(h->assignment.empty());
}

TEST(GroupCalls, CallsGoToTheSluiceTargetAndNameTheStreamByNameOrArn) {
  auto transport = std::make_shared<Scripted>(HttpReply{200, "{}"});
  Client client(transport);
  CheckpointGroupRequest c;
  c.stream = "orders";
  c.group = "g";
  c.member_id = "m";
  c.generation = 3;
  c.shard_id = "shardId-000000000001";
  c.shard_end = true;
  ASSERT_TRUE(CheckpointGroup(client, c).ok());
  ASSERT_TRUE(DeleteGroup(client, "arn:aws:kinesis:us-east-1:000000000000:stream/orders", "g").ok());
  EXPECT_EQ(transport->targets,
            (std::vector<std::string>{"Sluice_20261207.CheckpointGroup", "Sluice_20261207.DeleteGroup"}));
  // An empty shard's end is checkpointed without a SequenceNumber.
  EXPECT_EQ(transport->bodies[0], R"({"StreamName":"orders","GroupName":"g","MemberId":"m","Generation":3,)"
                                  R"("ShardId":"shardId-000000000001","ShardEnd":true})");
  EXPECT_EQ(transport->bodies[1],
            R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/orders","GroupName":"g"})");
}

TEST(GroupCalls, TheServicesErrorIsReturnedByName) {
  auto transport = std::make_shared<Scripted>(
      HttpReply{400, R"({"__type":"FencedMemberException","message":"shardId-000000000001 is not yours"})"});
  Client client(transport);
  CheckpointGroupRequest c;
  c.stream = "orders";
  Outcome<Done> done = CheckpointGroup(client, c);
  ASSERT_FALSE(done.ok());
  EXPECT_EQ(done.error().type, "FencedMemberException");
}

TEST(GroupCalls, DescribeGroupReadsMembersAndShards) {
  auto transport = std::make_shared<Scripted>(
      HttpReply{200, R"({"Group":{"GroupName":"g","StreamARN":"arn:x","InitialPosition":"TRIM_HORIZON","Generation":2,)"
                     R"("State":"STABLE","CreationTimestamp":1.5,"Members":[{"MemberId":"m","Assignment":["s0","s1"],)"
                     R"("SessionTimeoutMillis":10000,"LastHeartbeatTimestamp":2,"Pushed":false}],)"
                     R"("Shards":[{"ShardId":"s0","Owner":"m","SequenceNumber":"5","ShardEnd":false,"RecordsBehind":3,)"
                     R"("MillisBehindLatest":40}]}})"});
  Client client(transport);
  Outcome<GroupDescription> d = DescribeGroup(client, "orders", "g");
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(d->state, "STABLE");
  EXPECT_EQ(d->creation_ms, 1500);
  ASSERT_EQ(d->members.size(), 1u);
  EXPECT_EQ(d->members[0].shard_ids, (std::vector<std::string>{"s0", "s1"}));
  ASSERT_EQ(d->shards.size(), 1u);
  EXPECT_EQ(d->shards[0].owner, "m");
  EXPECT_EQ(d->shards[0].records_behind, 3);
}

GroupShardAssignment Given(std::string id) { return {std::move(id), StartingPosition::TrimHorizon()}; }

std::vector<std::string> Ids(const GroupAssignment& a) {
  std::vector<std::string> out;
  for (const auto& s : a) out.push_back(s.shard_id);
  return out;
}

TEST(DiffAssignment, KeptShardsGoOnAndOnlyNewOnesStart) {
  AssignmentUpdate u;
  u.assignment = {Given("s1"), Given("s2"), Given("s3")};
  AssignmentChange c = DiffAssignment({"s0", "s1", "s2"}, u);
  EXPECT_EQ(c.stop, (std::vector<std::string>{"s0"}));
  EXPECT_EQ(Ids(c.start), (std::vector<std::string>{"s3"}));
}

TEST(DiffAssignment, AShardRemovedAndGivenBackStartsAgainFromItsPosition) {
  AssignmentUpdate u;
  u.removed = {"s1"};
  u.assignment = {Given("s1"), Given("s2")};
  AssignmentChange c = DiffAssignment({"s1", "s2"}, u);
  EXPECT_EQ(c.stop, (std::vector<std::string>{"s1"}));
  EXPECT_EQ(Ids(c.start), (std::vector<std::string>{"s1"}));
}

TEST(DiffAssignment, AfterARejoinEveryShardStartsAfresh) {
  AssignmentUpdate u;
  u.rejoined = true;
  u.assignment = {Given("s1")};
  AssignmentChange c = DiffAssignment({"s1", "s2"}, u);
  EXPECT_EQ(c.stop, (std::vector<std::string>{"s1", "s2"}));
  EXPECT_EQ(Ids(c.start), (std::vector<std::string>{"s1"}));
}

TEST(DiffAssignment, AnEmptyAssignmentStopsEverything) {
  AssignmentChange c = DiffAssignment({"s1"}, AssignmentUpdate{});
  EXPECT_EQ(c.stop, (std::vector<std::string>{"s1"}));
  EXPECT_TRUE(c.start.empty());
}

}  // namespace
}  // namespace sluice::client
