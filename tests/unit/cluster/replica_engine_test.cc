// The engine holding leaders' ReplicaLogs as its shard stores, unchanged:
// each shard is led by a replica on "n1", whose follower on "n2" fetches on
// a ReplicaManager's thread; puts are acknowledged once both have them.
#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "cluster/replica_manager.h"
#include "cluster/replica_test_util.h"
#include "engine/engine.h"
#include "engine/engine_test_util.h"

namespace sluice::cluster {
namespace {

using engine::testing::PollUntil;
using engine::testing::PutOne;
using engine::testing::PutSync;
using engine::testing::ReadAll;

const engine::StreamRef kStream{"123456789012", "us-east-1", "orders"};

class ReplicatedStores final : public engine::ShardStoreFactory, public PeerFetcher {
 public:
  ReplicatedStores(size_t min_insync, std::vector<std::string> isr)
      : min_insync_(min_insync), isr_(std::move(isr)), follower_node_(this, Fast()) {
    follower_node_.Start();
  }

  Result<std::unique_ptr<engine::ShardStore>> Open(const engine::ShardKey& key, const std::string&) override {
    const ShardId id{key.stream.account, key.stream.region, key.stream.name, key.stream_creation_ms, key.shard_index};
    const ShardLeadership leadership{"n1", 1, {"n1", "n2"}, isr_};
    ReplicaOptions options;
    options.min_insync_replicas = min_insync_;
    options.node_id = "n1";
    testutil::TestReplica leader = testutil::MakeReplica(options, /*durable_on_append=*/true, nullptr, id);
    options.node_id = "n2";
    testutil::TestReplica follower = testutil::MakeReplica(options, /*durable_on_append=*/true, nullptr, id);
    SLUICE_RETURN_IF_ERROR(leader.replica->ApplyLeadership(leadership, "n1"));
    SLUICE_RETURN_IF_ERROR(follower.replica->ApplyLeadership(leadership, "n1"));
    {
      std::lock_guard<std::mutex> lock(mu_);
      leaders_[id] = leader.replica.get();
      logs_[id] = {leader.log, follower.log};
    }
    follower_node_.Add(std::move(follower.replica));
    return std::unique_ptr<engine::ShardStore>(std::move(leader.replica));
  }
  // The follower stops fetching before the engine closes the leaders.
  void Stop() override { follower_node_.Stop(); }
  void AddMetrics(engine::StorageMetrics*) const override {}

  Result<FetchResponse> Fetch(const std::string&, const FetchRequest& request) override {
    ReplicaLog* leader = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      leader = leaders_.at(request.shard);
    }
    return leader->HandleFetch(request);
  }

  // The local logs of n1 and n2 for shard 0 of kStream.
  std::pair<MemoryLocalLog*, MemoryLocalLog*> Logs() {
    std::lock_guard<std::mutex> lock(mu_);
    return logs_.begin()->second;
  }

 private:
  static ReplicaManagerOptions Fast() {
    ReplicaManagerOptions o;
    o.fetch_idle_ms = 5;
    return o;
  }

  const size_t min_insync_;
  const std::vector<std::string> isr_;
  std::mutex mu_;
  std::map<ShardId, ReplicaLog*> leaders_;  // owned by the engine
  std::map<ShardId, std::pair<MemoryLocalLog*, MemoryLocalLog*>> logs_;
  ReplicaManager follower_node_;
};

std::unique_ptr<engine::Engine> OpenEngine(std::shared_ptr<ReplicatedStores> stores) {
  engine::EngineOptions o;
  o.durability = storage::Durability::kMemory;
  o.shard_stores = std::move(stores);
  auto engine = engine::Engine::Open(o);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  engine::CreateStreamParams p;
  p.shard_count = 1;
  EXPECT_TRUE((*engine)->control().CreateStream(kStream, p).ok());
  return std::move(*engine);
}

TEST(ReplicaEngineTest, APutIsAcknowledgedReadableAndOnBothReplicasAtTheSameOffsetsAndTimes) {
  auto stores = std::make_shared<ReplicatedStores>(2, std::vector<std::string>{"n1", "n2"});
  auto engine = OpenEngine(stores);
  EXPECT_FALSE(PutOne(*engine, kStream, "pk", "hello").empty());
  EXPECT_FALSE(PutOne(*engine, kStream, "pk", "world").empty());
  EXPECT_EQ(ReadAll(*engine, kStream, "shardId-000000000000"), (std::vector<std::string>{"hello", "world"}));
  auto [leader, follower] = stores->Logs();
  ASSERT_TRUE(PollUntil([&] { return follower->EndOffset() == 2; }));
  EXPECT_EQ(testutil::Contents(*follower), testutil::Contents(*leader));
  engine->Stop();
}

TEST(ReplicaEngineTest, APutWhileTheIsrIsBelowMinInsyncFailsPerRecordWithInternalFailure) {
  auto stores = std::make_shared<ReplicatedStores>(2, std::vector<std::string>{"n1"});
  auto engine = OpenEngine(stores);
  auto put = PutSync(*engine, kStream, {{"pk", "refused", std::nullopt}});
  ASSERT_TRUE(put.ok()) << put.status().ToString();
  EXPECT_EQ((*put)[0].status.code(), ErrorCode::kInternalFailure);
  EXPECT_TRUE(ReadAll(*engine, kStream, "shardId-000000000000").empty());
  engine->Stop();
}

}  // namespace
}  // namespace sluice::cluster
