// ChannelDelivery over a real in-memory engine (ManualClock) and a real
// checkpoint file on the fault-injecting Env; the bucket is a FakeBucket (delivery_test_util.h).
#include "channels/channel_delivery.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <set>
#include <sstream>

#include "channels/delivery_test_util.h"
#include "engine/engine_test_util.h"
#include "storage/testing/fault_injection_env.h"

namespace sluice::channels {
namespace {

constexpr int64_t kStart = 1700000000000;  // 2023-11-14T22:13:20Z

class ChannelDeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = OpenMemoryEngine(&clock_);
    ASSERT_NE(engine_, nullptr);
    engine::CreateStreamParams p;
    p.shard_count = 1;
    ASSERT_TRUE(engine_->control().CreateStream(stream_, p).ok());
    auto d = engine_->control().DescribeStream(stream_);
    ASSERT_TRUE(d.ok());

    channel_.account = stream_.account;
    channel_.region = stream_.region;
    channel_.name = "ch";
    channel_.id = "0f0e0d0c-0000-4000-8000-000000000001";
    channel_.status = ChannelStatus::kActive;
    channel_.streams.push_back({d->arn, d->creation_ms, {"JSON", std::nullopt}});
    channel_.data_freshness_s = 60;
    channel_.s3 = S3Storage{"arn:aws:s3:::b", "", std::nullopt, std::nullopt, "NONE"};
    channel_.dead_letter = DeadLetterQueue{"arn:aws:s3:::b", "", "error/"};

    options_.data_dir = dir_.path();
    options_.env = &env_;
    ASSERT_TRUE(env_.CreateDirs(DeliveryCheckpointDir(dir_.path())).ok());
  }

  std::unique_ptr<ChannelDelivery> Open() {
    LocalCheckpointStores checkpoints(options_.data_dir, options_.in_memory, options_.env);
    auto d = std::make_unique<ChannelDelivery>(channel_, *engine_, bucket_, checkpoints.Open(channel_.id), options_);
    EXPECT_TRUE(d->Load().ok());
    return d;
  }

  void Put(int from, int to) {
    for (int i = from; i < to; ++i)
      engine::testing::PutOne(*engine_, stream_, "k", "{\"id\":" + std::to_string(i) + "}");
  }

  engine::testing::TempDir dir_;
  storage::FaultInjectionEnv env_;
  ManualClock clock_{kStart};
  std::unique_ptr<engine::Engine> engine_;
  const engine::StreamRef stream_{"123456789012", "us-east-1", "orders"};
  Channel channel_;
  DeliveryOptions options_;
  std::shared_ptr<FakeBucket> bucket_ = std::make_shared<FakeBucket>();
};

TEST_F(ChannelDeliveryTest, NothingIsPutBeforeFreshnessPassesThenOneObjectHoldsTheBatch) {
  Put(0, 10);
  auto d = Open();
  d->Step(clock_.NowMillis());
  EXPECT_TRUE(bucket_->objects.empty());
  EXPECT_GE(d->Stats().lag_ms, 0);
  clock_.Advance(60'000);
  d->Step(clock_.NowMillis());
  ASSERT_EQ(bucket_->objects.size(), 1u);
  EXPECT_EQ(
      bucket_->objects.begin()->first.rfind("b/2023/11/14/22/orders-shardId-000000000000-2023-11-14-22-13-20-", 0), 0u)
      << bucket_->objects.begin()->first;
  EXPECT_EQ(bucket_->Lines().size(), 10u);
  EXPECT_EQ(d->Stats().records_delivered, 10u);
  EXPECT_EQ(d->Stats().lag_ms, 0);
  ASSERT_EQ(d->checkpoint().size(), 1u);
  EXPECT_TRUE(d->checkpoint().begin()->second.last_sequence_number.has_value());
}

TEST_F(ChannelDeliveryTest, TheSizeCutsABatchIntoSeveralObjectsAtOnce) {
  options_.max_object_bytes = 30;  // three 8-9 byte records an object
  Put(0, 10);
  auto d = Open();
  d->Step(clock_.NowMillis());
  EXPECT_EQ(bucket_->objects.size(), 3u);  // the remainder waits for freshness
  clock_.Advance(60'000);
  d->Step(clock_.NowMillis());
  EXPECT_EQ(bucket_->objects.size(), 4u);
  EXPECT_EQ(bucket_->Lines().size(), 10u);
}

TEST_F(ChannelDeliveryTest, AfterACrashBetweenPutAndCheckpointTheRebuiltBatchOverwritesTheSameKey) {
  Put(0, 5);
  clock_.Advance(60'000);
  {
    auto d = Open();
    env_.FailNext(storage::FaultOp::kRename, ENOSPC);  // the checkpoint's save
    d->Step(clock_.NowMillis());
    EXPECT_EQ(bucket_->objects.size(), 1u);
    EXPECT_EQ(d->Stats().errors, 1u);
    EXPECT_NE(d->Stats().last_error.find("IoError"), std::string::npos);
  }  // the process dies before any retry
  const std::string first_key = bucket_->objects.begin()->first;
  Put(5, 8);
  auto d = Open();
  d->Step(clock_.NowMillis());
  ASSERT_EQ(bucket_->objects.size(), 1u);
  EXPECT_EQ(bucket_->objects.begin()->first, first_key);
  std::vector<std::string> lines = bucket_->Lines();
  EXPECT_EQ(lines.size(), 8u);
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.end()).size(), 8u);
  // And the next batch starts after the checkpoint.
  Put(8, 9);
  clock_.Advance(60'000);
  d->Step(clock_.NowMillis());
  EXPECT_EQ(bucket_->Lines().size(), 9u);
}

TEST_F(ChannelDeliveryTest, AFailedPutBacksOffKeepsTheErrorAndIsRetried) {
  Put(0, 3);
  clock_.Advance(60'000);
  bucket_->failures = 2;
  auto d = Open();
  d->Step(clock_.NowMillis());
  EXPECT_EQ(d->Stats().errors, 1u);
  EXPECT_NE(d->Stats().last_error.find("bucket unavailable"), std::string::npos);
  d->Step(clock_.NowMillis());  // backing off: no attempt
  EXPECT_EQ(d->Stats().errors, 1u);
  clock_.Advance(100);
  d->Step(clock_.NowMillis());  // second failure: 200 ms now
  EXPECT_EQ(d->Stats().errors, 2u);
  clock_.Advance(100);
  d->Step(clock_.NowMillis());
  EXPECT_TRUE(bucket_->objects.empty());
  clock_.Advance(100);
  d->Step(clock_.NowMillis());
  EXPECT_EQ(bucket_->Lines().size(), 3u);
}

TEST_F(ChannelDeliveryTest, RecordsNotInTheFormatGoToTheDeadLetterPrefixBeforeTheObject) {
  engine::testing::PutOne(*engine_, stream_, "k", "{\"ok\":1}");
  engine::testing::PutOne(*engine_, stream_, "bad", "not json");
  clock_.Advance(60'000);
  auto d = Open();
  d->Step(clock_.NowMillis());
  ASSERT_EQ(bucket_->order.size(), 2u);
  EXPECT_EQ(bucket_->order[0].rfind("error/2023/11/14/22/orders-shardId-000000000000-", 0), 0u);
  const std::string& letter = bucket_->objects["b/" + bucket_->order[0]];
  EXPECT_NE(letter.find("\"data\":\"bm90IGpzb24=\""), std::string::npos) << letter;
  EXPECT_NE(letter.find("\"partitionKey\":\"bad\""), std::string::npos);
  EXPECT_EQ(bucket_->Lines(), std::vector<std::string>{"{\"ok\":1}"});
  EXPECT_EQ(d->Stats().records_dead_lettered, 1u);
}

TEST_F(ChannelDeliveryTest, GzipObjectsCarryTheirEncodingAndExtension) {
  channel_.s3->compression = "GZIP";
  Put(0, 2);
  clock_.Advance(60'000);
  auto d = Open();
  d->Step(clock_.NowMillis());
  ASSERT_EQ(bucket_->order.size(), 1u);
  EXPECT_TRUE(bucket_->order[0].ends_with(".json.gz")) << bucket_->order[0];
  EXPECT_EQ(bucket_->encodings[bucket_->order[0]], "gzip");
}

TEST_F(ChannelDeliveryTest, ChildShardsAreReadOnlyAfterTheirParentIsDeliveredToItsEnd) {
  Put(0, 4);
  ASSERT_TRUE(engine_->control().UpdateShardCount(stream_, 2).ok());
  engine_->RunHousekeeping();
  Put(4, 10);
  clock_.Advance(60'000);
  auto d = Open();
  d->Step(clock_.NowMillis());
  ASSERT_GE(bucket_->order.size(), 2u);
  EXPECT_NE(bucket_->order[0].find("shardId-000000000000"), std::string::npos);
  for (size_t i = 1; i < bucket_->order.size(); ++i) {
    EXPECT_EQ(bucket_->order[i].find("shardId-000000000000"), std::string::npos) << bucket_->order[i];
  }
  EXPECT_EQ(bucket_->Lines().size(), 10u);
  auto parent = d->checkpoint().find(
      {channel_.streams[0].stream_arn, channel_.streams[0].stream_creation_ms, "shardId-000000000000"});
  ASSERT_NE(parent, d->checkpoint().end());
  EXPECT_TRUE(parent->second.finished);
}

}  // namespace
}  // namespace sluice::channels
