// The account settings and resource policies shared through etcd
// (cluster/etcd_account_persistence.h) against a real etcd (etcd_process.h):
// each "node" is an AccountStore of its own over an EtcdAccountPersistence
// with its own client of the same etcd.
#include "cluster/etcd_account_persistence.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "cluster/etcd_fixture.h"
#include "cluster/etcd_stream_catalog.h"
#include "engine/account_store.h"
#include "engine/engine.h"
#include "util/clock.h"

namespace sluice::cluster {
namespace {

using testing::Eventually;

const std::string kAcct = "123456789012";
const std::string kRegion = "us-east-1";
const std::string kArn = "arn:aws:kinesis:us-east-1:123456789012:stream/s";

struct Node {
  std::unique_ptr<EtcdClient> client;
  std::shared_ptr<EtcdAccountPersistence> persistence;
  std::unique_ptr<engine::AccountStore> store;
};

class EtcdAccountPersistenceTest : public testing::EtcdFixture {
 protected:
  void TearDown() override {
    for (auto& node : nodes_) node->persistence->Stop();
  }

  Node& StartNode(int64_t call_ms = 5000) {
    auto node = std::make_unique<Node>();
    node->client = testing::MakeClient({etcd_.endpoint()}, call_ms);
    node->persistence = std::make_shared<EtcdAccountPersistence>(*node->client);
    node->store = std::make_unique<engine::AccountStore>(node->persistence, clock_);
    Status loaded = node->store->Load();
    EXPECT_TRUE(loaded.ok()) << loaded.ToString();
    nodes_.push_back(std::move(node));
    return *nodes_.back();
  }

  ManualClock clock_{1700000000000};
  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(EtcdAccountPersistenceTest, SettingsChangedThroughOneNodeAreReadAtOnceThroughAnother) {
  Node& a = StartNode();
  Node& b = StartNode();
  auto enabled = a.store->UpdateCommitment(kAcct, kRegion, true);
  ASSERT_TRUE(enabled.ok()) << enabled.status().ToString();
  // No wait: the read fetches the key.
  engine::MinimumThroughputCommitment seen = b.store->Describe(kAcct, kRegion).minimum_throughput_commitment;
  EXPECT_EQ(seen.status, engine::CommitmentStatus::kEnabled);
  EXPECT_EQ(seen.started_ms, clock_.NowMillis());
  EXPECT_TRUE(b.store->CommitmentInForce(kAcct, kRegion));
}

TEST_F(EtcdAccountPersistenceTest, APolicyPutThroughOneNodeIsReadAndDeletedThroughAnother) {
  Node& a = StartNode();
  Node& b = StartNode();
  ASSERT_TRUE(a.store->PutPolicy(kArn, 7, R"({"Version":"2012-10-17"})").ok());
  EXPECT_EQ(b.store->GetPolicy(kArn, 7), R"({"Version":"2012-10-17"})");
  auto deleted = b.store->DeletePolicy(kArn, 7);
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_TRUE(*deleted);
  EXPECT_FALSE(a.store->GetPolicy(kArn, 7));
}

TEST_F(EtcdAccountPersistenceTest, EveryNodeIsKeptCurrentByItsWatch) {
  Node& a = StartNode();
  Node& b = StartNode();
  ASSERT_TRUE(a.store->PutPolicy(kArn, 1, "{}").ok());
  EXPECT_TRUE(Eventually([&] { return b.persistence->watched() >= 1; }));
}

TEST_F(EtcdAccountPersistenceTest, AChangeMadeOnAStaleCopyIsAppliedToTheCurrentOneAndLosesNothing) {
  Node& a = StartNode();
  Node& b = StartNode();
  b.persistence->Stop();  // b's copy stays as loaded: empty
  ASSERT_TRUE(a.store->PutPolicy(kArn + "1", 1, "{\"a\":1}").ok());
  ASSERT_TRUE(a.store->UpdateCommitment(kAcct, kRegion, true).ok());
  ASSERT_TRUE(b.store->PutPolicy(kArn + "2", 1, "{\"b\":2}").ok());
  for (Node* node : {&a, &b}) {
    EXPECT_EQ(node->store->GetPolicy(kArn + "1", 1), "{\"a\":1}");
    EXPECT_EQ(node->store->GetPolicy(kArn + "2", 1), "{\"b\":2}");
    EXPECT_TRUE(node->store->CommitmentInForce(kAcct, kRegion));
  }
}

TEST_F(EtcdAccountPersistenceTest, ConcurrentChangesThroughTwoNodesAreAllKept) {
  Node& a = StartNode();
  Node& b = StartNode();
  constexpr int kEach = 25;
  auto put = [](Node& node, const std::string& tag) {
    for (int i = 0; i < kEach; ++i) {
      Status s = node.store->PutPolicy(kArn + tag + std::to_string(i), 1, "{}");
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
  };
  std::thread through_a(put, std::ref(a), "a");
  std::thread through_b(put, std::ref(b), "b");
  through_a.join();
  through_b.join();
  auto kept = client_->Get(kAccountsKey);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  auto doc = engine::DecodeAccountDocument((*kept)->value);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->policies.size(), 2u * kEach);
  for (int i = 0; i < kEach; ++i) {
    EXPECT_TRUE(a.store->GetPolicy(kArn + "b" + std::to_string(i), 1));
    EXPECT_TRUE(b.store->GetPolicy(kArn + "a" + std::to_string(i), 1));
  }
}

TEST_F(EtcdAccountPersistenceTest, WhileEtcdIsDownReadsAnswerTheLastCopyAndChangesAreServiceUnavailable) {
  Node& a = StartNode(/*call_ms=*/500);
  ASSERT_TRUE(a.store->PutPolicy(kArn, 1, "{}").ok());
  etcd_.Kill9();
  EXPECT_EQ(a.store->GetPolicy(kArn, 1), "{}");
  Status refused = a.store->PutPolicy(kArn + "2", 1, "{}");
  EXPECT_EQ(refused.code(), ErrorCode::kServiceUnavailable) << refused.ToString();
  EXPECT_FALSE(a.store->GetPolicy(kArn + "2", 1));
}

TEST_F(EtcdAccountPersistenceTest, ADocumentThatDoesNotDecodeFailsTheLoad) {
  ASSERT_TRUE(client_->Put(kAccountsKey, "\x09garbage").ok());
  auto client = testing::MakeClient({etcd_.endpoint()});
  EtcdAccountPersistence persistence(*client);
  Status loaded = persistence.Load();
  EXPECT_EQ(loaded.code(), ErrorCode::kCorruption) << loaded.ToString();
}

// A node that applies another's DeleteStream from the stream watch removes the
// stream's policies from the shared document, even when the node that took
// the call never did (its own account state here is a document of its own,
// as a node that died between the two writes leaves it).
TEST_F(EtcdAccountPersistenceTest, AStreamDeletedThroughAnotherNodeLosesItsPoliciesWhenTheDeletionIsApplied) {
  const engine::StreamRef orders{kAcct, kRegion, "orders"};
  struct EngineNode {
    std::unique_ptr<EtcdClient> client;
    std::shared_ptr<EtcdStreamCatalog> catalog;
    std::unique_ptr<engine::Engine> engine;
  };
  auto open = [&](std::shared_ptr<engine::AccountPersistence> accounts, auto make_accounts) {
    auto node = std::make_unique<EngineNode>();
    node->client = testing::MakeClient({etcd_.endpoint()});
    node->catalog = std::make_shared<EtcdStreamCatalog>(*node->client);
    engine::EngineOptions options;
    options.durability = storage::Durability::kMemory;
    options.catalog = node->catalog;
    options.accounts = accounts ? accounts : make_accounts(*node->client);
    auto opened = engine::Engine::Open(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    node->engine = std::move(opened).value();
    node->catalog->Follow(*node->engine);
    return node;
  };
  auto shared = [](EtcdClient& client) { return std::make_shared<EtcdAccountPersistence>(client); };
  auto taker = open(std::make_shared<engine::LocalAccountPersistence>("", /*in_memory=*/true), shared);
  auto follower = open(nullptr, shared);

  engine::CreateStreamParams one;
  one.shard_count = 1;
  ASSERT_TRUE(taker->engine->control().CreateStream(orders, one).ok());
  ASSERT_TRUE(Eventually([&] { return follower->engine->control().DescribeStream(orders).ok(); }));
  const std::string arn = engine::StreamArn(orders);
  ASSERT_TRUE(follower->engine->policies().PutResourcePolicy(arn, R"({"Version":"2012-10-17"})").ok());
  auto held = [&] {
    auto kv = client_->Get(kAccountsKey);
    if (!kv.ok() || !kv->has_value()) return false;
    auto doc = engine::DecodeAccountDocument((*kv)->value);
    return doc.ok() && doc->policies.contains(arn);
  };
  ASSERT_TRUE(held());

  ASSERT_TRUE(taker->engine->control().DeleteStream(orders, false).ok());
  EXPECT_TRUE(Eventually([&] { return !held(); }));
  for (auto* node : {taker.get(), follower.get()}) node->catalog->Stop();
}

}  // namespace
}  // namespace sluice::cluster
