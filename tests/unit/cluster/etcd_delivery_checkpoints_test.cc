// The channels' delivery checkpoints shared through etcd
// (cluster/etcd_delivery_checkpoints.h) against a real etcd: two "nodes",
// each with its own client, saving the progress of the shards they lead.
#include "cluster/etcd_delivery_checkpoints.h"

#include <gtest/gtest.h>

#include <string>

#include "cluster/etcd_fixture.h"

namespace sluice::cluster {
namespace {

const std::string kArn = "arn:aws:kinesis:us-east-1:123456789012:stream/s";
const channels::ShardKey kShard0{kArn, 5, "shardId-000000000000"};
const channels::ShardKey kShard1{kArn, 5, "shardId-000000000001"};

channels::ShardProgress At(const std::string& sequence_number, bool finished = false) {
  return {sequence_number, finished};
}

class EtcdDeliveryCheckpointsTest : public testing::EtcdFixture {
 protected:
  void SetUp() override {
    testing::EtcdFixture::SetUp();
    client_a_ = testing::MakeClient({etcd_.endpoint()});
    client_b_ = testing::MakeClient({etcd_.endpoint()});
    a_ = std::make_unique<EtcdDeliveryCheckpoints>(*client_a_);
    b_ = std::make_unique<EtcdDeliveryCheckpoints>(*client_b_);
  }

  std::unique_ptr<EtcdClient> client_a_, client_b_;
  std::unique_ptr<EtcdDeliveryCheckpoints> a_, b_;
};

TEST_F(EtcdDeliveryCheckpointsTest, ProgressSavedByTwoNodesForTheirShardsMerges) {
  auto on_a = a_->Open("c1");
  auto on_b = b_->Open("c1");
  ASSERT_TRUE(on_a->Load().ok());
  ASSERT_TRUE(on_b->Load().ok());
  ASSERT_TRUE(on_a->Save(kShard0, At("100")).ok());
  // b's copy predates a's save: its save is applied to the document a left.
  auto saved = on_b->Save(kShard1, At("200"));
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_EQ(saved->at(kShard0).last_sequence_number, "100");
  auto loaded = a_->Open("c1")->Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->at(kShard0).last_sequence_number, "100");
  EXPECT_EQ(loaded->at(kShard1).last_sequence_number, "200");
}

TEST_F(EtcdDeliveryCheckpointsTest, ADeposedLeadersLateSaveNeverMovesAShardBack) {
  auto old_leader = a_->Open("c1");
  auto new_leader = b_->Open("c1");
  ASSERT_TRUE(new_leader->Save(kShard0, At("1000", /*finished=*/true)).ok());
  ASSERT_TRUE(old_leader->Save(kShard0, At("999")).ok());
  auto loaded = b_->Open("c1")->Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->at(kShard0).last_sequence_number, "1000");
  EXPECT_TRUE(loaded->at(kShard0).finished);
}

TEST_F(EtcdDeliveryCheckpointsTest, AChannelsCheckpointGoesOnceItWasSeenAndIsGone) {
  ASSERT_TRUE(a_->Open("c1")->Save(kShard0, At("1")).ok());
  ASSERT_TRUE(a_->Open("c2")->Save(kShard0, At("1")).ok());
  a_->RemoveStale({"c1"});  // c2 never seen by a: kept (it may be new)
  EXPECT_TRUE(client_->Get(std::string(kDeliveryCheckpointPrefix) + "c2")->has_value());
  a_->RemoveStale({"c1", "c2"});
  a_->RemoveStale({"c2"});
  EXPECT_FALSE(client_->Get(std::string(kDeliveryCheckpointPrefix) + "c1")->has_value());
  EXPECT_TRUE(client_->Get(std::string(kDeliveryCheckpointPrefix) + "c2")->has_value());
}

}  // namespace
}  // namespace sluice::cluster
