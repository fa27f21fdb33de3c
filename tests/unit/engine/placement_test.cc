// Shard placement: the engine asks it before every append and read, and a
// shard led by another node fails the call with NotLeader naming the leader,
// writing nothing. Real engine and logs; only the placement is the test's.
#include "engine/placement.h"

#include <gtest/gtest.h>

#include <atomic>

#include "engine/engine.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::PutOne;
using testing::PutSync;

const StreamRef kStream{"123456789012", "us-east-1", "orders"};

// Leads every shard except `elsewhere` (-1: none), led by 10.0.0.2:4567;
// counts the questions.
class TestPlacement final : public ShardPlacement {
 public:
  PlacementAnswer Leader(const ShardKey& shard) const override {
    asked.fetch_add(1);
    if (shard.shard_index != elsewhere.load()) return {};
    return {false, leader_known.load() ? "10.0.0.2:4567" : ""};
  }
  mutable std::atomic<int> asked{0};
  std::atomic<int> elsewhere{-1};
  std::atomic<bool> leader_known{true};
};

class NullSink : public SubscriptionSink {
 public:
  bool Send(const SubscriptionEvent&) override { return true; }
  bool Ready() override { return true; }
  void End(const Status&) override {}
};

class PlacementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions o;
    o.durability = storage::Durability::kMemory;
    o.placement = placement_;
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    CreateStreamParams p;
    p.shard_count = 1;
    ASSERT_TRUE(engine_->control().CreateStream(kStream, p).ok());
  }

  std::shared_ptr<TestPlacement> placement_ = std::make_shared<TestPlacement>();
  std::unique_ptr<Engine> engine_;
};

TEST(LocalPlacementTest, ThisNodeLeadsEveryShard) {
  LocalPlacement local;
  EXPECT_TRUE(local.Leader(ShardKey{kStream, 1, 0}).this_node);
  EXPECT_TRUE(CheckLeader(local, ShardKey{kStream, 1, 7}).ok());
}

TEST(CheckLeaderTest, NamesTheLeaderOrSaysThereIsNone) {
  TestPlacement placement;
  placement.elsewhere = 0;
  Status s = CheckLeader(placement, ShardKey{kStream, 1, 0});
  EXPECT_EQ(s.code(), ErrorCode::kNotLeader);
  EXPECT_EQ(s.message(),
            "Shard shardId-000000000000 in stream orders under account 123456789012 is led by 10.0.0.2:4567.");
  placement.leader_known = false;
  EXPECT_EQ(CheckLeader(placement, ShardKey{kStream, 1, 0}).message(),
            "Shard shardId-000000000000 in stream orders under account 123456789012 has no leader at the moment.");
}

TEST(LeaderAddressOfTest, ReadsTheAddressCheckLeaderWroteAndNothingElse) {
  TestPlacement placement;
  placement.elsewhere = 3;
  EXPECT_EQ(LeaderAddressOf(CheckLeader(placement, ShardKey{kStream, 1, 3})), "10.0.0.2:4567");
  placement.leader_known = false;
  EXPECT_EQ(LeaderAddressOf(CheckLeader(placement, ShardKey{kStream, 1, 3})), "");
  EXPECT_EQ(LeaderAddressOf(Status(ErrorCode::kInternalFailure, "x is led by y.")), "");
  EXPECT_EQ(LeaderAddressOf(Status::Ok()), "");
}

TEST_F(PlacementTest, PutRecordsAsksThePlacementOfTheShardItAppendsTo) {
  EXPECT_FALSE(PutOne(*engine_, kStream, "pk", "one").empty());
  EXPECT_GE(placement_->asked.load(), 1);
}

TEST_F(PlacementTest, PutRecordsToAShardLedElsewhereFailsWithNotLeaderAndWritesNothing) {
  placement_->elsewhere = 0;
  auto put = PutSync(*engine_, kStream, {{"pk", "lost", std::nullopt}});
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.status().code(), ErrorCode::kNotLeader);
  EXPECT_NE(put.status().message().find("10.0.0.2:4567"), std::string::npos);

  placement_->elsewhere = -1;
  auto it = engine_->records().GetShardIterator(kStream, "shardId-000000000000", IteratorType::kTrimHorizon,
                                                std::nullopt, std::nullopt);
  ASSERT_TRUE(it.ok());
  auto read = engine_->records().GetRecords(*it, 100, std::nullopt);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->records.empty());
}

TEST_F(PlacementTest, GetShardIteratorAndGetRecordsOnAShardLedElsewhereFailWithNotLeader) {
  PutOne(*engine_, kStream, "pk", "one");
  auto it = engine_->records().GetShardIterator(kStream, "shardId-000000000000", IteratorType::kTrimHorizon,
                                                std::nullopt, std::nullopt);
  ASSERT_TRUE(it.ok());

  placement_->elsewhere = 0;
  auto again = engine_->records().GetShardIterator(kStream, "shardId-000000000000", IteratorType::kTrimHorizon,
                                                   std::nullopt, std::nullopt);
  EXPECT_EQ(again.status().code(), ErrorCode::kNotLeader);
  auto read = engine_->records().GetRecords(*it, 100, std::nullopt);
  EXPECT_EQ(read.status().code(), ErrorCode::kNotLeader);
  EXPECT_NE(read.status().message().find("10.0.0.2:4567"), std::string::npos);
  EXPECT_EQ(engine_->records().LatestRecords(kStream, "shardId-000000000000", 10).status().code(),
            ErrorCode::kNotLeader);
}

TEST_F(PlacementTest, SubscribeToShardLedElsewhereFailsWithNotLeader) {
  auto c = engine_->consumers().RegisterStreamConsumer(kStream, "reader", {});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  auto consumer = engine_->consumers().ResolveActiveConsumer(c->arn);
  ASSERT_TRUE(consumer.ok()) << consumer.status().ToString();

  placement_->elsewhere = 0;
  auto sub = engine_->subscriptions().SubscribeToShard(*consumer, "shardId-000000000000", IteratorType::kLatest,
                                                       std::nullopt, std::nullopt, std::make_shared<NullSink>());
  ASSERT_FALSE(sub.ok());
  EXPECT_EQ(sub.status().code(), ErrorCode::kNotLeader);
}

}  // namespace
}  // namespace sluice::engine
