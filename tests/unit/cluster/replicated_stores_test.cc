// ReplicatedShardStores (replicated_stores.h): three nodes' stores in one
// process, each over a real LocalShardStoreFactory in a folder of its own,
// their followers' fetches handed straight to the leader's stores, and the
// leadership records built by hand and given through Apply().
#include "cluster/replicated_stores.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>

#include "cluster/replica_test_util.h"
#include "engine/data_layout.h"
#include "engine/engine_test_util.h"

namespace sluice::cluster {
namespace {

using engine::testing::PollUntil;
using engine::testing::TempDir;
using testutil::kShard;
using testutil::kT0;
using testutil::Wait;

const engine::StreamRef kStream{kShard.account, kShard.region, kShard.stream};

// Sends each fetch to the stores of the node whose address it names ("n1"
// is n1's address), and counts the fetches each follower makes.
class Network final : public PeerFetcher {
 public:
  Result<FetchResponse> Fetch(const std::string& leader_address, const FetchRequest& request) override {
    ReplicatedShardStores* leader = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++fetches_[request.follower];
      auto it = nodes_.find(leader_address);
      if (it != nodes_.end()) leader = it->second;
    }
    if (!leader) return Status::ConnectionFailed(leader_address + " does not answer");
    std::promise<FetchResponse> answer;
    std::future<FetchResponse> answered = answer.get_future();
    leader->Fetch(request, [&answer](FetchResponse r) { answer.set_value(std::move(r)); });
    return answered.get();
  }
  void Attach(const std::string& node, ReplicatedShardStores* stores) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stores) {
      nodes_[node] = stores;
    } else {
      nodes_.erase(node);
    }
  }
  int fetches(const std::string& follower) {
    std::lock_guard<std::mutex> lock(mu_);
    return fetches_[follower];
  }

 private:
  std::mutex mu_;
  std::map<std::string, ReplicatedShardStores*> nodes_;
  std::map<std::string, int> fetches_;
};

// One node: its data folder and its stores, which it can stop and reopen.
struct Node {
  Node(std::string node_id, Network* network, storage::Durability durability)
      : id(std::move(node_id)), network(network), durability(durability) {
    Open();
  }
  ~Node() { Close(); }

  void Open() {
    storage::LogOptions log;
    log.durability = durability;
    ReplicatedStoreOptions options;
    options.node_id = id;
    options.data_dir = dir.path();
    options.min_insync_replicas = 2;
    options.manager.fetch_idle_ms = 5;
    options.manager.fetch_retry_ms = 20;
    stores = std::make_unique<ReplicatedShardStores>(std::make_shared<engine::LocalShardStoreFactory>(log), network,
                                                     options);
    network->Attach(id, stores.get());
    // The records are handed in by the tests' Apply(); a failed one is not re-read.
    stores->Start([this] { return last_view; });
  }
  void Close() {
    if (!stores) return;
    network->Attach(id, nullptr);
    store.reset();
    stores->Stop();
    stores.reset();
  }
  std::string ShardDir() const {
    return engine::ShardDir(engine::StreamDir(dir.path(), kStream, kT0), kShard.shard_index);
  }
  // The engine's store of kShard here, opened once.
  engine::ShardStore& Store() {
    if (!store) {
      auto opened = stores->Open(engine::ShardKey{kStream, kT0, kShard.shard_index}, ShardDir());
      EXPECT_TRUE(opened.ok()) << opened.status().ToString();
      store = std::move(opened).value();
    }
    return *store;
  }

  const std::string id;
  Network* const network;
  const storage::Durability durability;
  TempDir dir;
  std::unique_ptr<ReplicatedShardStores> stores;
  ClusterView::Snapshot last_view;  // the records last handed in
  std::unique_ptr<engine::ShardStore> store;
};

// Every live node at its own name, and kShard's record.
ClusterView::Snapshot View(const ShardLeadership& leadership, int64_t mod_revision) {
  ClusterView::Snapshot view;
  for (const char* n : {"n1", "n2", "n3"}) view.live_nodes[n] = NodeInfo{n, n, kT0, "test"};
  view.shards.push_back(ShardRecord{kShard, leadership, mod_revision});
  view.revision = mod_revision;
  return view;
}

Result<uint64_t> Append(engine::ShardStore& store, const std::vector<std::string>& data, int64_t arrival_ms) {
  std::vector<storage::AppendEntry> entries;
  for (const std::string& d : data) entries.push_back({"key-" + d, d});
  return store.Append(entries, arrival_ms);
}

// What a store shows: offset, arrival time, data.
using Shown = std::tuple<uint64_t, int64_t, std::string>;
std::vector<Shown> Records(const engine::ShardStore& store) {
  auto read = store.Read(0, 1000, 1 << 20);
  EXPECT_TRUE(read.ok()) << read.status().ToString();
  std::vector<Shown> out;
  if (!read.ok()) return out;
  for (const storage::StoredRecord& r : read->records) out.emplace_back(r.offset, r.arrival_ms, std::string(r.data));
  return out;
}

// Every test in both durable modes: written to the OS, and synced by the
// group commit's flusher.
class ReplicatedStoresTest : public ::testing::TestWithParam<storage::Durability> {
 protected:
  void Apply(const ShardLeadership& leadership) {
    ++revision_;
    for (Node* n : {&n1_, &n2_, &n3_}) {
      if (n->stores) {
        n->last_view = View(leadership, revision_);
        n->stores->Apply(n->last_view);
      }
    }
  }

  Network network_;
  Node n1_{"n1", &network_, GetParam()};
  Node n2_{"n2", &network_, GetParam()};
  Node n3_{"n3", &network_, GetParam()};
  int64_t revision_ = 10;
};

TEST_P(ReplicatedStoresTest, TheLeadersAcknowledgementWaitsForTheFollowerToHoldTheRecords) {
  n2_.Close();  // n2 fetches nothing yet
  Apply({"n1", 1, {"n1", "n2"}, {"n1", "n2"}});
  auto first = Append(n1_.Store(), {"a", "b"}, kT0);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 0u);
  Wait acked(n1_.Store(), 2);
  EXPECT_EQ(n1_.Store().EndOffset(), 2u);
  EXPECT_FALSE(acked.done()) << "not acknowledged while the follower lacks the records";
  EXPECT_EQ(n1_.Store().VisibleEndOffset(), 0u);

  n2_.Open();
  Apply({"n1", 1, {"n1", "n2"}, {"n1", "n2"}});
  ASSERT_TRUE(PollUntil([&] { return acked.done(); })) << "acknowledged once n2 fetched";
  EXPECT_TRUE(acked.result().ok()) << acked.result().ToString();
  EXPECT_EQ(n1_.Store().VisibleEndOffset(), 2u);
  ASSERT_TRUE(PollUntil([&] { return n2_.Store().VisibleEndOffset() == 2; }));
  EXPECT_EQ(Records(n2_.Store()), Records(n1_.Store()));
}

TEST_P(ReplicatedStoresTest, AFollowersStoreRefusesAppendsWithNotLeader) {
  Apply({"n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}});
  auto refused = Append(n2_.Store(), {"a"}, kT0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kNotLeader) << refused.status().ToString();
  EXPECT_EQ(n2_.Store().EndOffset(), 0u);
}

TEST_P(ReplicatedStoresTest, ANewEpochMovesAppendsToTheFollowerAtTheNextOffsetWithEveryEarlierRecord) {
  Apply({"n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}});
  auto first = Append(n1_.Store(), {"a", "b"}, kT0);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  Wait acked(n1_.Store(), 2);
  ASSERT_TRUE(PollUntil([&] { return acked.done(); }));
  ASSERT_TRUE(acked.result().ok()) << acked.result().ToString();

  Apply({"n2", 2, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}});
  auto deposed = Append(n1_.Store(), {"late"}, kT0 + 1);
  ASSERT_FALSE(deposed.ok());
  EXPECT_EQ(deposed.status().code(), ErrorCode::kNotLeader);
  auto next = Append(n2_.Store(), {"c"}, kT0 + 2);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  // A record's sequence number counts its offset: the next offset is the next number.
  EXPECT_EQ(*next, 2u) << "the next offset after the old leader's";
  Wait acked_again(n2_.Store(), 3);
  ASSERT_TRUE(PollUntil([&] { return acked_again.done(); }));
  EXPECT_TRUE(acked_again.result().ok()) << acked_again.result().ToString();
  const std::vector<Shown> expected{{0, kT0, "a"}, {1, kT0, "b"}, {2, kT0 + 2, "c"}};
  EXPECT_EQ(Records(n2_.Store()), expected);
  ASSERT_TRUE(PollUntil([&] { return n1_.Store().VisibleEndOffset() == 3; })) << "n1 follows n2 now";
  EXPECT_EQ(Records(n1_.Store()), expected);
}

TEST_P(ReplicatedStoresTest, AReplicaWhoseRecordDropsThisNodeStopsFetching) {
  Apply({"n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}});
  ASSERT_TRUE(PollUntil([&] { return network_.fetches("n2") > 0 && network_.fetches("n3") > 0; }));
  Apply({"n1", 1, {"n1", "n3"}, {"n1", "n3"}});
  const int n2_after_apply = network_.fetches("n2");
  const int n3_after_apply = network_.fetches("n3");
  auto appended = Append(n1_.Store(), {"a"}, kT0);
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  Wait acked(n1_.Store(), 1);
  ASSERT_TRUE(PollUntil([&] { return acked.done(); }));
  EXPECT_TRUE(acked.result().ok()) << acked.result().ToString();
  // n3 fetches every few milliseconds: twenty of its fetches are time
  // enough for n2 to have made as many had it gone on.
  ASSERT_TRUE(PollUntil([&] { return network_.fetches("n3") >= n3_after_apply + 20; }));
  EXPECT_LE(network_.fetches("n2"), n2_after_apply + 1) << "at most the fetch in flight at the Apply";
  ASSERT_NE(n2_.stores->Find(kShard), nullptr);
  EXPECT_EQ(n2_.stores->Find(kShard)->EndOffset(), 0u);
}

TEST_P(ReplicatedStoresTest, DestroyOfAShardNeverOpenedHereRemovesItsFolder) {
  {  // an earlier run's records and epoch history in n1's folder of the shard
    storage::LogOptions log;
    log.durability = GetParam();
    engine::LocalShardStoreFactory local(log);
    std::filesystem::create_directories(n1_.ShardDir());
    auto opened = local.OpenLog(n1_.ShardDir());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    std::vector<storage::AppendEntry> entries{{"k", "old"}};
    ASSERT_TRUE((*opened)->Append(entries, kT0).ok());
    ASSERT_TRUE((*opened)->Close().ok());
    local.Stop();
    auto history = LeaderEpochHistory::Open(n1_.ShardDir(), /*in_memory=*/false);
    ASSERT_TRUE(history.ok()) << history.status().ToString();
    ASSERT_TRUE((*history)->Assign(1, 0).ok());
  }
  ASSERT_TRUE(std::filesystem::exists(n1_.ShardDir()));
  Status destroyed = n1_.Store().Destroy();
  ASSERT_TRUE(destroyed.ok()) << destroyed.ToString();
  EXPECT_FALSE(std::filesystem::exists(n1_.ShardDir()));
  auto reopened = n1_.stores->Acquire(kShard, n1_.ShardDir());
  ASSERT_FALSE(reopened.ok()) << "a destroyed shard is never opened again";
  EXPECT_EQ(reopened.status().code(), ErrorCode::kIoError);
}

TEST_P(ReplicatedStoresTest, RecordsSurviveARestartOfEveryNodeAtTheSameOffsetsAndArrivalTimes) {
  const ShardLeadership leadership{"n1", 1, {"n1", "n2", "n3"}, {"n1", "n2", "n3"}};
  Apply(leadership);
  ASSERT_TRUE(Append(n1_.Store(), {"a", "b"}, kT0).ok());
  ASSERT_TRUE(Append(n1_.Store(), {"c"}, kT0 + 7).ok());
  Wait acked(n1_.Store(), 3);
  ASSERT_TRUE(PollUntil([&] { return acked.done(); }));
  ASSERT_TRUE(acked.result().ok()) << acked.result().ToString();
  ASSERT_TRUE(PollUntil([&] { return n2_.Store().VisibleEndOffset() == 3 && n3_.Store().VisibleEndOffset() == 3; }));
  const std::vector<Shown> expected{{0, kT0, "a"}, {1, kT0, "b"}, {2, kT0 + 7, "c"}};
  ASSERT_EQ(Records(n1_.Store()), expected);

  for (Node* n : {&n1_, &n2_, &n3_}) n->Close();
  for (Node* n : {&n1_, &n2_, &n3_}) n->Open();
  Apply(leadership);
  for (Node* n : {&n1_, &n2_, &n3_}) {
    ASSERT_TRUE(PollUntil([&] { return n->Store().VisibleEndOffset() == 3; })) << n->id;
    EXPECT_EQ(Records(n->Store()), expected) << n->id;
  }
  auto next = Append(n1_.Store(), {"d"}, kT0 + 9);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(*next, 3u);
}

INSTANTIATE_TEST_SUITE_P(Durability, ReplicatedStoresTest,
                         ::testing::Values(storage::Durability::kOs, storage::Durability::kFsync),
                         [](const ::testing::TestParamInfo<storage::Durability>& info) {
                           return info.param == storage::Durability::kOs ? "Os" : "Fsync";
                         });

}  // namespace
}  // namespace sluice::cluster
