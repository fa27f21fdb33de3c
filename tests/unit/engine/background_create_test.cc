// CreateStream and DeleteStream of large streams on the control-plane worker
// (engine/stream_control.h), with the helpers of background_test_util.h.
#include <gtest/gtest.h>

#include "background_test_util.h"
#include "engine/engine.h"
#include "engine/pending_marks.h"

namespace sluice::engine {
namespace {

using testing::kBig;
using testing::PollUntil;
using testing::PutOne;
using testing::PutSync;

class BackgroundCreateTest : public testing::BackgroundTest {};

TEST_F(BackgroundCreateTest, LargeStreamIsCreatingUntilItsLogsAreBuiltWhileOtherCallsGoOn) {
  auto engine = Open(stores_);
  ASSERT_TRUE(Create(*engine, big_, kBig).ok());  // returns with the opens held
  ASSERT_TRUE(PollUntil([&] { return stores_->AnyWaiting(); }));
  EXPECT_EQ(StatusOf(*engine, big_), StreamStatus::kCreating);
  EXPECT_TRUE(engine->control().DescribeStream(big_)->shards.empty());
  EXPECT_EQ(Create(*engine, big_, kBig).code(), ErrorCode::kResourceInUse);  // the name is taken
  EXPECT_EQ(engine->control().DeleteStream(big_, false).code(), ErrorCode::kResourceInUse);
  EXPECT_FALSE(PutSync(*engine, big_, {{"k", "v", std::nullopt}}).ok());
  // The control plane and the data plane of other streams go on meanwhile.
  ASSERT_TRUE(Create(*engine, small_, 1).ok());
  EXPECT_EQ(StatusOf(*engine, small_), StreamStatus::kActive);
  EXPECT_FALSE(PutOne(*engine, small_, "k", "v").empty());
  EXPECT_EQ(engine->control().DescribeLimits(big_.account, big_.region).open_shard_count, kBig + 1);

  stores_->Release();
  engine->control().WaitForWorker();
  EXPECT_EQ(StatusOf(*engine, big_), StreamStatus::kActive);
  EXPECT_EQ(engine->control().DescribeStream(big_)->shards.size(), static_cast<size_t>(kBig));
  EXPECT_FALSE(PutOne(*engine, big_, "k", "v").empty());

  engine.reset();  // saved: it comes back
  auto reopened = Open();
  EXPECT_EQ(StatusOf(*reopened, big_), StreamStatus::kActive);
  EXPECT_EQ(reopened->control().DescribeStream(big_)->shards.size(), static_cast<size_t>(kBig));
}

TEST_F(BackgroundCreateTest, FailedBuildDropsTheStreamAndLeavesNoFolder) {
  stores_->fail_at = 5;
  auto engine = Open(stores_);
  ASSERT_TRUE(Create(*engine, big_, kBig).ok());
  stores_->Release();
  engine->control().WaitForWorker();
  EXPECT_EQ(engine->control().DescribeStream(big_).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(EntriesUnderRegion(), 0u) << "no half-made folder nor mark is left";
  // The name is free again, and the failed stream never comes back.
  stores_->held.clear();
  ASSERT_TRUE(Create(*engine, big_, kBig).ok());
  engine->control().WaitForWorker();
  EXPECT_EQ(StatusOf(*engine, big_), StreamStatus::kActive);
  engine.reset();
  auto reopened = Open();
  EXPECT_EQ(StatusOf(*reopened, big_), StreamStatus::kActive);
  EXPECT_EQ(EntriesUnderRegion(), 1u);
}

TEST_F(BackgroundCreateTest, LargeStreamDeletedIsGoneAtOnceAndItsFolderOnceTheWorkerIsDone) {
  auto engine = Open();
  ASSERT_TRUE(Create(*engine, big_, kBig).ok());
  engine->control().WaitForWorker();
  ASSERT_EQ(StatusOf(*engine, big_), StreamStatus::kActive);
  ASSERT_EQ(EntriesUnderRegion(), 1u);
  ASSERT_TRUE(engine->control().DeleteStream(big_, false).ok());
  EXPECT_EQ(engine->control().DescribeStream(big_).status().code(), ErrorCode::kResourceNotFound);
  engine->control().WaitForWorker();
  EXPECT_EQ(EntriesUnderRegion(), 0u);
  engine.reset();
  auto reopened = Open();
  EXPECT_EQ(reopened->control().DescribeStream(big_).status().code(), ErrorCode::kResourceNotFound);
}

}  // namespace
}  // namespace sluice::engine
