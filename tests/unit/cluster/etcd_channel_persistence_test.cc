// The channel registry shared through etcd (cluster/etcd_channel_persistence.h)
// against a real etcd (etcd_process.h): each "node" is a ChannelRegistry of
// its own over an EtcdChannelPersistence with its own client of the same etcd.
#include "cluster/etcd_channel_persistence.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "channels/channel_document.h"
#include "channels/channel_registry.h"
#include "cluster/etcd_fixture.h"
#include "util/clock.h"

namespace sluice::cluster {
namespace {

using testing::Eventually;

const std::string kAcct = "123456789012";
const std::string kRegion = "us-east-1";

channels::Channel S3Channel(const std::string& name) {
  channels::Channel c;
  c.account = kAcct;
  c.region = kRegion;
  c.name = name;
  c.role_arn = "arn:aws:iam::123456789012:role/r";
  c.streams.push_back({"arn:aws:kinesis:us-east-1:123456789012:stream/s", 1, {"JSON", std::nullopt}});
  c.destination = channels::DestinationType::kS3;
  c.s3 = channels::S3Storage{"arn:aws:s3:::bucket", kAcct, "p/", "STANDARD", "GZIP"};
  return c;
}

struct Node {
  std::unique_ptr<EtcdClient> client;
  std::shared_ptr<EtcdChannelPersistence> persistence;
  std::unique_ptr<channels::ChannelRegistry> registry;
};

class EtcdChannelPersistenceTest : public testing::EtcdFixture {
 protected:
  void TearDown() override {
    for (auto& node : nodes_) node->persistence->Stop();
  }

  Node& StartNode(int64_t call_ms = 5000) {
    auto node = std::make_unique<Node>();
    node->client = testing::MakeClient({etcd_.endpoint()}, call_ms);
    node->persistence = std::make_shared<EtcdChannelPersistence>(*node->client);
    channels::RegistryOptions options;
    options.update_delay_ms = 1000;
    node->registry = std::make_unique<channels::ChannelRegistry>(options, clock_, node->persistence);
    Status loaded = node->registry->Load();
    EXPECT_TRUE(loaded.ok()) << loaded.ToString();
    nodes_.push_back(std::move(node));
    return *nodes_.back();
  }

  ManualClock clock_{1700000000000};
  std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(EtcdChannelPersistenceTest, AChannelCreatedThroughOneNodeIsDescribedAndListedAtOnceThroughAnother) {
  Node& a = StartNode();
  Node& b = StartNode();
  auto created = a.registry->Create(S3Channel("c"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  // No wait: the read fetches the key.
  auto seen = b.registry->Describe(kAcct, kRegion, "c");
  ASSERT_TRUE(seen.ok()) << seen.status().ToString();
  EXPECT_EQ(seen->id, created->id);
  EXPECT_EQ(seen->status, channels::ChannelStatus::kActive);
  ASSERT_EQ(b.registry->List(kAcct, kRegion).size(), 1u);
  auto again = b.registry->Create(S3Channel("c"));
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kResourceInUse);
}

TEST_F(EtcdChannelPersistenceTest, UpdateTagsAndDeleteThroughOneNodeAreSeenThroughAnother) {
  Node& a = StartNode();
  Node& b = StartNode();
  ASSERT_TRUE(a.registry->Create(S3Channel("c")).ok());
  auto updated = b.registry->Update(kAcct, kRegion, "c", 120, std::nullopt);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  auto on_a = a.registry->Describe(kAcct, kRegion, "c");
  ASSERT_TRUE(on_a.ok());
  EXPECT_EQ(on_a->status, channels::ChannelStatus::kUpdating);
  EXPECT_EQ(on_a->data_freshness_s, 120);
  ASSERT_TRUE(a.registry->AddTags(kAcct, kRegion, "c", {{"team", "x"}}).ok());
  EXPECT_EQ(b.registry->Describe(kAcct, kRegion, "c")->tags.at("team"), "x");
  ASSERT_TRUE(b.registry->RemoveTags(kAcct, kRegion, "c", {"team"}).ok());
  EXPECT_TRUE(a.registry->Describe(kAcct, kRegion, "c")->tags.empty());
  ASSERT_TRUE(a.registry->Delete(kAcct, kRegion, "c").ok());
  auto gone = b.registry->Describe(kAcct, kRegion, "c");
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(EtcdChannelPersistenceTest, EveryNodeIsKeptCurrentByItsWatch) {
  Node& a = StartNode();
  Node& b = StartNode();
  ASSERT_TRUE(a.registry->Create(S3Channel("c")).ok());
  EXPECT_TRUE(Eventually([&] { return b.persistence->watched() >= 1; }));
}

TEST_F(EtcdChannelPersistenceTest, ConcurrentCreatesThroughTwoNodesAreAllKept) {
  Node& a = StartNode();
  Node& b = StartNode();
  constexpr int kEach = 20;
  auto create = [](Node& node, const std::string& tag) {
    for (int i = 0; i < kEach; ++i) {
      auto created = node.registry->Create(S3Channel(tag + std::to_string(i)));
      EXPECT_TRUE(created.ok()) << created.status().ToString();
    }
  };
  std::thread through_a(create, std::ref(a), "a");
  std::thread through_b(create, std::ref(b), "b");
  through_a.join();
  through_b.join();
  auto kept = client_->Get(kChannelRegistryKey);
  ASSERT_TRUE(kept.ok() && kept->has_value());
  auto doc = channels::DecodeChannelDocument((*kept)->value);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->size(), 2u * kEach);
  EXPECT_EQ(a.registry->List(kAcct, kRegion).size(), 2u * kEach);
  EXPECT_EQ(b.registry->List(kAcct, kRegion).size(), 2u * kEach);
}

TEST_F(EtcdChannelPersistenceTest, WhileEtcdIsDownReadsAnswerTheLastCopyAndChangesAreServiceUnavailable) {
  Node& a = StartNode(/*call_ms=*/500);
  ASSERT_TRUE(a.registry->Create(S3Channel("c")).ok());
  etcd_.Kill9();
  EXPECT_TRUE(a.registry->Describe(kAcct, kRegion, "c").ok());
  auto created = a.registry->Create(S3Channel("d"));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.status().code(), ErrorCode::kServiceUnavailable) << created.status().ToString();
}

}  // namespace
}  // namespace sluice::cluster
