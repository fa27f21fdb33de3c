// ReplicaManager (replica_manager.h): replicas on two nodes moved by the
// managers' threads over an in-memory PeerFetcher, and its passes stepped
// by hand where time matters.
#include "cluster/replica_manager.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "cluster/replica_test_util.h"
#include "engine/engine_test_util.h"

namespace sluice::cluster {
namespace {

using engine::testing::PollUntil;
using testutil::Contents;
using testutil::kShard;
using testutil::kT0;
using testutil::Put;

// Sends each fetch to the manager of the node it names.
class Network final : public PeerFetcher {
 public:
  Result<FetchResponse> Fetch(const std::string& leader_address, const FetchRequest& request) override {
    auto it = managers.find(leader_address);
    if (it == managers.end()) return Status::ConnectionFailed(leader_address + " does not answer");
    return it->second->HandleFetch(request);
  }
  std::map<std::string, ReplicaManager*> managers;
};

TEST(ReplicaManagerTest, ItsThreadCarriesRecordsToTheFollowerAndTheLeaderCommitsThem) {
  Network network;
  ReplicaManagerOptions fast;
  fast.fetch_idle_ms = 5;
  ReplicaManager m1(&network, fast), m2(&network, fast);
  network.managers = {{"n1", &m1}, {"n2", &m2}};
  ReplicaOptions options;
  options.node_id = "n1";
  testutil::TestReplica r1 = testutil::MakeReplica(options, /*durable_on_append=*/true, nullptr);
  options.node_id = "n2";
  testutil::TestReplica r2 = testutil::MakeReplica(options, /*durable_on_append=*/true, nullptr);
  const ShardLeadership leadership{"n1", 1, {"n1", "n2"}, {"n1", "n2"}};
  ASSERT_TRUE(r1.replica->ApplyLeadership(leadership, "n1").ok());
  ASSERT_TRUE(r2.replica->ApplyLeadership(leadership, "n1").ok());
  ReplicaLog& leader = *r1.replica;
  ReplicaLog& follower = *r2.replica;
  m1.Add(std::move(r1.replica));
  m2.Add(std::move(r2.replica));
  m1.Start();
  m2.Start();

  testutil::Wait first(leader, Put(leader, {"a", "b"}, kT0));
  testutil::Wait second(leader, Put(leader, {"c"}, kT0 + 1'500));
  ASSERT_TRUE(PollUntil([&] { return second.done(); })) << "committed within 10 s";
  EXPECT_TRUE(first.result().ok());
  EXPECT_TRUE(second.result().ok());
  EXPECT_EQ(leader.VisibleEndOffset(), 3u);
  EXPECT_EQ(Contents(*r2.log), Contents(*r1.log));
  ASSERT_TRUE(PollUntil([&] { return follower.VisibleEndOffset() == 3; })) << "the follower learns the HW";
  m1.Stop();
  m2.Stop();
}

TEST(ReplicaManagerTest, AFollowersSyncWakesItsNextFetchSoTheLeaderCommitsWithoutWaitingOutTheIdlePause) {
  Network network;
  ReplicaManagerOptions slow;
  slow.fetch_idle_ms = 60'000;
  ReplicaManager m1(&network), m2(&network, slow);
  network.managers = {{"n1", &m1}, {"n2", &m2}};
  ReplicaOptions options;
  options.node_id = "n1";
  testutil::TestReplica r1 = testutil::MakeReplica(options, /*durable_on_append=*/true, nullptr);
  options.node_id = "n2";
  options.on_follower_durable = [&m2] { m2.Wake(); };
  testutil::TestReplica r2 = testutil::MakeReplica(options, /*durable_on_append=*/false, nullptr);
  const ShardLeadership leadership{"n1", 1, {"n1", "n2"}, {"n1", "n2"}};
  ASSERT_TRUE(r1.replica->ApplyLeadership(leadership, "n1").ok());
  ASSERT_TRUE(r2.replica->ApplyLeadership(leadership, "n1").ok());
  ReplicaLog& leader = *r1.replica;
  MemoryLocalLog& follower_disk = *r2.log;
  m1.Add(std::move(r1.replica));
  m2.Add(std::move(r2.replica));

  testutil::Wait put(leader, Put(leader, {"a"}));
  m2.Start();
  // The follower fetches a, reports it not yet durable, and pauses for a minute.
  ASSERT_TRUE(PollUntil([&] { return follower_disk.EndOffset() == 1; }));
  EXPECT_FALSE(put.done());
  follower_disk.Sync();
  ASSERT_TRUE(PollUntil([&] { return put.done(); }, std::chrono::seconds(5))) << "the sync woke the follower";
  EXPECT_TRUE(put.result().ok());
  m2.Stop();
}

TEST(ReplicaManagerTest, AFetchForAShardWithNoReplicaHereIsUnknownShard) {
  Network network;
  ReplicaManager m(&network);
  FetchRequest request;
  request.shard = kShard;
  request.follower = "n2";
  EXPECT_EQ(m.HandleFetch(request).error, FetchError::kUnknownShard);
}

TEST(ReplicaManagerTest, ItsPassesProposeRemovingAFollowerThatStoppedFetching) {
  Network network;
  ReplicaManager m1(&network);
  ManualClock clock(kT0);
  ReplicaOptions options;
  options.node_id = "n1";
  options.clock = &clock;
  std::vector<std::vector<std::string>> proposals;
  testutil::TestReplica r1 = testutil::MakeReplica(options, /*durable_on_append=*/true,
                                                   [&](const IsrProposal& p) { proposals.push_back(p.isr); });
  ASSERT_TRUE(r1.replica->ApplyLeadership({"n1", 1, {"n1", "n2"}, {"n1", "n2"}}, "n1").ok());
  m1.Add(std::move(r1.replica));
  // n2 has no manager in the network: it never fetches.
  EXPECT_FALSE(m1.RunOnce(0));
  clock.Advance(10'001);
  EXPECT_FALSE(m1.RunOnce(500));
  EXPECT_TRUE(proposals.empty()) << "lag is checked once a second";
  EXPECT_FALSE(m1.RunOnce(1'000));
  ASSERT_EQ(proposals.size(), 1u);
  EXPECT_EQ(proposals[0], (std::vector<std::string>{"n1"}));
}

}  // namespace
}  // namespace sluice::cluster
