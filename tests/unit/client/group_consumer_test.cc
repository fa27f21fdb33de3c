#include "client/group_consumer.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sluice::client {
namespace {

// Answers each call with what `answer(operation, body)` gives; keeps the calls.
class ByOperation final : public Transport {
 public:
  using Answer = std::function<HttpReply(const std::string& operation, const std::string& body)>;
  explicit ByOperation(Answer answer) : answer_(std::move(answer)) {}
  Outcome<HttpReply> CallApi(const JsonApi&, std::string_view operation, std::string_view body) override {
    std::lock_guard<std::mutex> lock(mu_);
    calls_.push_back(std::string(operation) + " " + std::string(body));
    return answer_(std::string(operation), std::string(body));
  }
  std::vector<std::string> Calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  bool Called(const std::string& prefix) {
    for (const std::string& c : Calls()) {
      if (c.rfind(prefix, 0) == 0) return true;
    }
    return false;
  }

 private:
  Answer answer_;
  std::mutex mu_;
  std::vector<std::string> calls_;
};

const char* kJoined =
    R"({"GroupName":"g","MemberId":"m-1","Generation":3,"SessionTimeoutMillis":3000,"HeartbeatIntervalMillis":100,)"
    R"("Assignment":[{"ShardId":"shardId-000000000000","StartingPosition":{"Type":"TRIM_HORIZON"}}]})";

GroupConsumerOptions Options(int64_t idle_poll_ms = 1000) {
  GroupConsumerOptions o;
  o.stream = "orders";
  o.group = "g";
  o.idle_poll_ms = idle_poll_ms;
  return o;
}

// Waits (with a deadline) until `done()`.
bool Eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

TEST(GroupConsumer, AClosedShardReadToItsEndIsCheckpointedThenCheckpointedWithShardEnd) {
  auto transport = std::make_shared<ByOperation>([](const std::string& op, const std::string&) -> HttpReply {
    if (op == "JoinGroup") return {200, kJoined};
    if (op == "GetShardIterator") return {200, R"({"ShardIterator":"it-0"})"};
    if (op == "GetRecords") {
      return {200, R"({"Records":[{"SequenceNumber":"7","PartitionKey":"k","Data":"YQ=="},)"
                   R"({"SequenceNumber":"9","PartitionKey":"k","Data":"Yg=="}],"MillisBehindLatest":0,)"
                   R"("ChildShards":[{"ShardId":"shardId-000000000001","ParentShards":["shardId-000000000000"]}]})"};
    }
    if (op == "Heartbeat") return {200, R"({"Generation":4,"Assignment":[]})"};
    return {200, "{}"};
  });
  GroupConsumer consumer(std::make_shared<Client>(transport), Options());
  std::vector<std::string> batches;
  auto handler = [&](const std::string& shard, const std::vector<Record>& records) {
    for (const Record& r : records) batches.push_back(shard + "/" + r.sequence_number + "/" + r.data);
  };
  auto stop = [&] {
    for (const std::string& c : transport->Calls()) {
      if (c.rfind("CheckpointGroup", 0) == 0 && c.find("ShardEnd") != std::string::npos) return true;
    }
    return false;
  };
  ASSERT_TRUE(consumer.Run(handler, stop).ok());
  EXPECT_EQ(batches, (std::vector<std::string>{"shardId-000000000000/7/a", "shardId-000000000000/9/b"}));
  std::vector<std::string> checkpoints;
  for (const std::string& c : transport->Calls()) {
    if (c.rfind("CheckpointGroup", 0) == 0) checkpoints.push_back(c.substr(16));
  }
  ASSERT_EQ(checkpoints.size(), 2u);
  EXPECT_EQ(checkpoints[0], R"({"StreamName":"orders","GroupName":"g","MemberId":"m-1","Generation":3,)"
                            R"("ShardId":"shardId-000000000000","SequenceNumber":"9"})");
  EXPECT_EQ(checkpoints[1], R"({"StreamName":"orders","GroupName":"g","MemberId":"m-1","Generation":3,)"
                            R"("ShardId":"shardId-000000000000","SequenceNumber":"9","ShardEnd":true})");
  EXPECT_EQ(transport->Calls().back().rfind("LeaveGroup", 0), 0u) << "Run leaves the group when it ends";
}

TEST(GroupConsumer, AFencedCheckpointStopsReadingTheShard) {
  auto transport = std::make_shared<ByOperation>([](const std::string& op, const std::string&) -> HttpReply {
    if (op == "JoinGroup") return {200, kJoined};
    if (op == "GetShardIterator") return {200, R"({"ShardIterator":"it-0"})"};
    if (op == "GetRecords") {
      return {200, R"({"Records":[{"SequenceNumber":"7","PartitionKey":"k","Data":"YQ=="}],)"
                   R"("NextShardIterator":"it-1","MillisBehindLatest":0})"};
    }
    if (op == "CheckpointGroup") return {400, R"({"__type":"FencedMemberException","message":"not yours"})"};
    if (op == "Heartbeat") return {200, std::string(kJoined)};  // still listed: the server has not moved it yet
    return {200, "{}"};
  });
  GroupConsumer consumer(std::make_shared<Client>(transport), Options(1));
  int batches = 0;
  auto handler = [&](const std::string&, const std::vector<Record>&) { ++batches; };
  std::thread stopper([&] {
    Eventually([&] { return transport->Called("CheckpointGroup"); });
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // time for reads that must not come
    consumer.Stop();
  });
  ASSERT_TRUE(consumer.Run(handler).ok());
  stopper.join();
  EXPECT_EQ(batches, 1);
  int reads = 0;
  for (const std::string& c : transport->Calls()) reads += c.rfind("GetRecords", 0) == 0 ? 1 : 0;
  EXPECT_EQ(reads, 1);
}

TEST(GroupMembership, UnknownMemberOnAHeartbeatJoinsAgainWithTheSameIdAndStartsAfresh) {
  int joins = 0;
  std::mutex mu;
  auto transport = std::make_shared<ByOperation>([&](const std::string& op, const std::string&) -> HttpReply {
    std::lock_guard<std::mutex> lock(mu);
    if (op == "JoinGroup")
      return {200, ++joins == 1 ? std::string(kJoined)
                                : R"({"MemberId":"m-1","Generation":9,)"
                                  R"("HeartbeatIntervalMillis":60000,"Assignment":[]})"};
    if (op == "Heartbeat") return {400, R"({"__type":"UnknownMemberException","message":"session ended"})"};
    return {200, "{}"};
  });
  GroupMembershipOptions o;
  o.stream = "orders";
  o.group = "g";
  GroupMembership membership(std::make_shared<Client>(transport), o);
  ASSERT_TRUE(membership.Join().ok());
  std::optional<AssignmentUpdate> first = membership.TakeUpdate();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->assignment.size(), 1u);
  ASSERT_TRUE(Eventually([&] { return membership.generation() == 9; }));
  std::optional<AssignmentUpdate> again = membership.TakeUpdate();
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->rejoined);
  EXPECT_TRUE(again->assignment.empty());
  EXPECT_EQ(again->removed, (std::set<std::string>{"shardId-000000000000"}));
  const std::vector<std::string> calls = transport->Calls();
  EXPECT_NE(calls.back().find(R"("MemberId":"m-1")"), std::string::npos) << calls.back();
  ASSERT_TRUE(membership.Leave().ok());
}

TEST(GroupMembership, AfterLosingAShardTheNextHeartbeatWaitsUntilTheReaderHasTakenTheUpdate) {
  auto transport = std::make_shared<ByOperation>([](const std::string& op, const std::string&) -> HttpReply {
    if (op == "JoinGroup") return {200, kJoined};  // heartbeats every 100 ms, session 3 s
    if (op == "Heartbeat") return {200, R"({"Generation":4,"RebalanceNeeded":true,"Assignment":[]})"};
    return {200, "{}"};
  });
  auto heartbeats = [&] {
    int n = 0;
    for (const std::string& c : transport->Calls()) n += c.rfind("Heartbeat", 0) == 0 ? 1 : 0;
    return n;
  };
  GroupMembershipOptions o;
  o.stream = "orders";
  o.group = "g";
  GroupMembership membership(std::make_shared<Client>(transport), o);
  ASSERT_TRUE(membership.Join().ok());
  ASSERT_TRUE(membership.TakeUpdate());
  ASSERT_TRUE(Eventually([&] { return heartbeats() == 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));  // four intervals: no Heartbeat may come
  EXPECT_EQ(heartbeats(), 1);
  std::optional<AssignmentUpdate> lost = membership.TakeUpdate();
  ASSERT_TRUE(lost);
  EXPECT_EQ(lost->removed, (std::set<std::string>{"shardId-000000000000"}));
  EXPECT_TRUE(Eventually([&] { return heartbeats() >= 2; }));
  ASSERT_TRUE(membership.Leave().ok());
}

}  // namespace
}  // namespace sluice::client
