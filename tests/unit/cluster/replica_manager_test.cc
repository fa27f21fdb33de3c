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

// Shard kShard led by n1 (in `m1`) and followed by n2 (in `m2`), both in the
// ISR; the managers own the replicas.
struct Pair {
  ReplicaLog* leader = nullptr;
  ReplicaLog* follower = nullptr;
  MemoryLocalLog* leader_disk = nullptr;
  MemoryLocalLog* follower_disk = nullptr;
};
Pair LeaderAndFollower(ReplicaManager& m1, ReplicaManager& m2, bool follower_durable_on_append,
                       std::function<void()> on_follower_durable = nullptr) {
  ReplicaOptions options;
  options.node_id = "n1";
  testutil::TestReplica r1 = testutil::MakeReplica(options, /*durable_on_append=*/true, nullptr);
  options.node_id = "n2";
  options.on_follower_durable = std::move(on_follower_durable);
  testutil::TestReplica r2 = testutil::MakeReplica(options, follower_durable_on_append, nullptr);
  const ShardLeadership leadership{"n1", 1, {"n1", "n2"}, {"n1", "n2"}};
  EXPECT_TRUE(r1.replica->ApplyLeadership(leadership, "n1").ok());
  EXPECT_TRUE(r2.replica->ApplyLeadership(leadership, "n1").ok());
  Pair out{r1.replica.get(), r2.replica.get(), r1.log, r2.log};
  m1.Add(std::move(r1.replica));
  m2.Add(std::move(r2.replica));
  return out;
}

TEST(ReplicaManagerTest, ItsThreadCarriesRecordsToTheFollowerAndTheLeaderCommitsThem) {
  Network network;
  ReplicaManagerOptions fast;
  fast.fetch_idle_ms = 5;
  ReplicaManager m1(&network, fast), m2(&network, fast);
  network.managers = {{"n1", &m1}, {"n2", &m2}};
  const Pair pair = LeaderAndFollower(m1, m2, /*follower_durable_on_append=*/true);
  ReplicaLog& leader = *pair.leader;
  ReplicaLog& follower = *pair.follower;
  m1.Start();
  m2.Start();

  testutil::Wait first(leader, Put(leader, {"a", "b"}, kT0));
  testutil::Wait second(leader, Put(leader, {"c"}, kT0 + 1'500));
  ASSERT_TRUE(PollUntil([&] { return second.done(); })) << "committed within 10 s";
  EXPECT_TRUE(first.result().ok());
  EXPECT_TRUE(second.result().ok());
  EXPECT_EQ(leader.VisibleEndOffset(), 3u);
  EXPECT_EQ(Contents(*pair.follower_disk), Contents(*pair.leader_disk));
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
  const Pair pair = LeaderAndFollower(m1, m2, /*follower_durable_on_append=*/false, [&m2] { m2.Wake(); });
  ReplicaLog& leader = *pair.leader;
  MemoryLocalLog& follower_disk = *pair.follower_disk;

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
