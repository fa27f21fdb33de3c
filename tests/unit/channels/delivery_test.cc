// Delivery over a real registry and engine (in memory, ManualClock) and real
// checkpoint files: channels are picked up and dropped as the registry says.
#include "channels/delivery.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "channels/delivery_test_util.h"
#include "engine/engine_test_util.h"

namespace sluice::channels {
namespace {

constexpr int64_t kStart = 1700000000000;

class DeliveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine_ = OpenMemoryEngine(&clock_);
    ASSERT_NE(engine_, nullptr);
    engine::CreateStreamParams p;
    p.mode = engine::StreamMode::kOnDemand;
    ASSERT_TRUE(engine_->control().CreateStream(stream_, p).ok());
    ASSERT_TRUE(registry_.Load().ok());
    options_.data_dir = dir_.path();
    ASSERT_TRUE(storage::Env::Default()->CreateDirs(DeliveryCheckpointDir(dir_.path())).ok());
  }

  Channel NewChannel(const std::string& name) {
    auto d = engine_->control().DescribeStream(stream_);
    Channel c;
    c.account = stream_.account;
    c.region = stream_.region;
    c.name = name;
    c.streams.push_back({d->arn, d->creation_ms, {"STRING", std::nullopt}});
    c.data_freshness_s = 0;
    c.s3 = S3Storage{"arn:aws:s3:::b", "", std::nullopt, std::nullopt, "NONE"};
    Result<Channel> created = registry_.Create(c);
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : c;
  }

  engine::testing::TempDir dir_;
  ManualClock clock_{kStart};
  std::unique_ptr<engine::Engine> engine_;
  const engine::StreamRef stream_{"123456789012", "us-east-1", "orders"};
  ChannelRegistry registry_{{"", /*in_memory=*/true, 0, 0, 0}, clock_};
  DeliveryOptions options_;
  std::shared_ptr<FakeBucket> bucket_ = std::make_shared<FakeBucket>();
};

TEST_F(DeliveryTest, AChannelCreatedWhileRunningIsDeliveredAndItsCheckpointRemovedOnceItIsGone) {
  Delivery delivery(registry_, *engine_, bucket_, options_, clock_);
  delivery.RunOnce();
  EXPECT_TRUE(delivery.Stats().empty());
  const Channel c = NewChannel("ch");
  engine::testing::PutOne(*engine_, stream_, "k", "hello");
  delivery.RunOnce();
  EXPECT_EQ(bucket_->Lines(), std::vector<std::string>{"hello"});
  ASSERT_EQ(delivery.Stats().size(), 1u);
  EXPECT_EQ(delivery.Stats()[0].records_delivered, 1u);
  const std::string checkpoint = DeliveryCheckpointDir(dir_.path()) + "/" + c.id;
  EXPECT_TRUE(std::filesystem::exists(checkpoint));

  ASSERT_TRUE(registry_.Delete(c.account, c.region, c.name).ok());
  delivery.RunOnce();
  EXPECT_TRUE(delivery.Stats().empty());
  EXPECT_FALSE(std::filesystem::exists(checkpoint));
  engine::testing::PutOne(*engine_, stream_, "k", "after");
  delivery.RunOnce();
  EXPECT_EQ(bucket_->Lines().size(), 1u);
}

TEST_F(DeliveryTest, TheWorkerThreadDeliversAndStopsPromptly) {
  options_.poll_interval_ms = 10;
  NewChannel("ch");
  Delivery delivery(registry_, *engine_, bucket_, options_, clock_);
  delivery.Start();
  engine::testing::PutOne(*engine_, stream_, "k", "threaded");
  const int64_t deadline = MonotonicMillis() + 10'000;
  while (delivery.Stats().empty() || delivery.Stats()[0].records_delivered == 0) {
    ASSERT_LT(MonotonicMillis(), deadline) << "nothing delivered";
    std::this_thread::yield();
  }
  const int64_t before = MonotonicMillis();
  delivery.Stop();
  EXPECT_LT(MonotonicMillis() - before, 1000);
  EXPECT_EQ(delivery.Stats()[0].records_delivered, 1u);
}

}  // namespace
}  // namespace sluice::channels
