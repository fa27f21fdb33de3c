// IsrWriter (isr_writer.h) against a real etcd (etcd_process.h): a leader's
// in-sync set proposal reaches the shard's record only while the record
// still has that leader, at that epoch, with the ISR the proposal changes.
#include "cluster/isr_writer.h"

#include <gtest/gtest.h>

#include "cluster/etcd_fixture.h"

namespace sluice::cluster {
namespace {

using testing::Eventually;

const ShardId kShard{"123456789012", "us-east-1", "orders", 1796000000000, 0};
const std::vector<std::string> kAll{"n1", "n2", "n3"};

class IsrWriterTest : public testing::EtcdFixture {
 protected:
  void SetUp() override {
    EtcdFixture::SetUp();
    ASSERT_TRUE(DeclareShard(*client_, kShard).ok());
    auto view = ClusterView::Open(*client_);
    ASSERT_TRUE(view.ok()) << view.status().ToString();
    view_ = std::move(view).value();
    writer_ = std::make_unique<IsrWriter>(*client_, *view_, "n1");
  }
  void TearDown() override {
    writer_.reset();
    view_.reset();
  }

  // The shard's record in etcd now.
  ShardLeadership Stored() {
    auto records = ListShardRecords(*client_);
    EXPECT_TRUE(records.ok()) << records.status().ToString();
    if (!records.ok() || records->empty()) return {};
    return records->front().leadership;
  }
  // Writes `leadership` as the shard's record and waits for the view to show it.
  void Set(const ShardLeadership& leadership) {
    auto records = ListShardRecords(*client_);
    ASSERT_TRUE(records.ok() && records->size() == 1);
    auto written = UpdateShardLeadership(*client_, records->front(), leadership);
    ASSERT_TRUE(written.ok() && *written);
    ASSERT_TRUE(Eventually([&] {
      std::optional<ShardRecord> seen = view_->shard(kShard);
      return seen && seen->leadership == leadership;
    }));
  }

  std::unique_ptr<ClusterView> view_;
  std::unique_ptr<IsrWriter> writer_;
};

TEST_F(IsrWriterTest, AProposalOfThisNodesLeadershipAtItsEpochAndIsrIsWritten) {
  Set({"n1", 3, kAll, kAll});
  auto written = writer_->Write({kShard, 3, {"n1", "n2"}, {"n3", "n1", "n2"}});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_TRUE(*written);
  EXPECT_EQ(Stored(), (ShardLeadership{"n1", 3, kAll, {"n1", "n2"}}));
}

TEST_F(IsrWriterTest, AProposalQueuedToItsThreadIsWritten) {
  Set({"n1", 3, kAll, {"n1", "n2"}});
  writer_->Start();
  writer_->Propose({kShard, 3, kAll, {"n1", "n2"}});
  EXPECT_TRUE(Eventually([&] { return Stored().isr == kAll; }));
  EXPECT_EQ(Stored().leader_epoch, 3);
}

TEST_F(IsrWriterTest, AProposalFromAnOlderEpochIsDropped) {
  Set({"n1", 4, kAll, kAll});
  auto written = writer_->Write({kShard, 3, {"n1", "n2"}, kAll});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_FALSE(*written);
  EXPECT_EQ(Stored(), (ShardLeadership{"n1", 4, kAll, kAll}));
}

TEST_F(IsrWriterTest, AProposalForAShardAnotherNodeNowLeadsIsDropped) {
  Set({"n2", 3, kAll, kAll});
  auto written = writer_->Write({kShard, 3, {"n1", "n2"}, kAll});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_FALSE(*written);
  EXPECT_EQ(Stored(), (ShardLeadership{"n2", 3, kAll, kAll}));
}

TEST_F(IsrWriterTest, AProposalChangingAnIsrThatHasSinceMovedOnIsDropped) {
  // The proposal was made while all three were in sync; the ISR has shrunk
  // to {n1} since: writing it would bring back n2 unchecked.
  Set({"n1", 3, kAll, {"n1"}});
  auto written = writer_->Write({kShard, 3, {"n1", "n2"}, kAll});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_FALSE(*written);
  EXPECT_EQ(Stored(), (ShardLeadership{"n1", 3, kAll, {"n1"}}));
}

TEST_F(IsrWriterTest, AProposalForAShardWithNoRecordIsDropped) {
  const ShardId other{"123456789012", "us-east-1", "orders", 1796000000000, 9};
  auto written = writer_->Write({other, 1, {"n1"}, kAll});
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_FALSE(*written);
}

TEST_F(IsrWriterTest, AStartingNodeTakesBackItsOwnLeadershipsUnderANewEpochAndLeavesOthersAlone) {
  Set({"n1", 3, kAll, kAll});
  auto renewed = RenewOwnLeaderships(*client_, "n1");
  ASSERT_TRUE(renewed.ok()) << renewed.status().ToString();
  EXPECT_EQ(*renewed, 1);
  EXPECT_EQ(Stored(), (ShardLeadership{"n1", 4, kAll, kAll}));

  auto by_other = RenewOwnLeaderships(*client_, "n2");
  ASSERT_TRUE(by_other.ok()) << by_other.status().ToString();
  EXPECT_EQ(*by_other, 0);
  EXPECT_EQ(Stored().leader_epoch, 4);
}

}  // namespace
}  // namespace sluice::cluster
