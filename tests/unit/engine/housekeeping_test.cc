// Stream state transitions: CREATING → ACTIVE, DELETING → gone, driven by
// RunHousekeeping (ManualClock) and by the housekeeping thread (real clock).
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::PollUntil;
using testing::PutSync;

constexpr int64_t kStart = 1700000000000;

class TransitionTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> Open(Clock* clock, int64_t create_delay, int64_t delete_delay) {
    EngineOptions o;
    o.durability = storage::Durability::kMemory;
    o.clock = clock;
    o.create_stream_delay_ms = create_delay;
    o.delete_stream_delay_ms = delete_delay;
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  std::optional<StreamStatus> StatusOf(Engine& e) {
    auto d = e.control().DescribeStream(s_);
    if (!d.ok()) return std::nullopt;
    return d->status;
  }

  CreateStreamParams Params(int shards) {
    CreateStreamParams p;
    p.shard_count = shards;
    return p;
  }

  const StreamRef s_{"123456789012", "us-east-1", "slow"};
};

TEST_F(TransitionTest, CreatingStreamHasNoShardsAndRejectsDataUntilDue) {
  ManualClock clock(kStart);
  auto engine = Open(&clock, 500, 0);
  ASSERT_TRUE(engine->control().CreateStream(s_, Params(2)).ok());
  auto d = engine->control().DescribeStream(s_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, StreamStatus::kCreating);
  EXPECT_TRUE(d->shards.empty());
  auto put = PutSync(*engine, s_, {{"k", "v", {}}});
  EXPECT_EQ(put.status().code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(
      engine->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kLatest, {}, {}).status().code(),
      ErrorCode::kResourceNotFound);

  clock.Advance(499);
  engine->RunHousekeeping();
  EXPECT_EQ(StatusOf(*engine), StreamStatus::kCreating);
  clock.Advance(1);
  engine->RunHousekeeping();
  EXPECT_EQ(StatusOf(*engine), StreamStatus::kActive);
  EXPECT_EQ(engine->control().DescribeStream(s_)->shards.size(), 2u);
  EXPECT_TRUE(PutSync(*engine, s_, {{"k", "v", {}}}).ok());
}

TEST_F(TransitionTest, DeletingStreamRejectsPutsThenDisappears) {
  ManualClock clock(kStart);
  auto engine = Open(&clock, 0, 1000);
  ASSERT_TRUE(engine->control().CreateStream(s_, Params(1)).ok());
  ASSERT_TRUE(engine->control().DeleteStream(s_, false).ok());
  EXPECT_EQ(StatusOf(*engine), StreamStatus::kDeleting);
  EXPECT_EQ(PutSync(*engine, s_, {{"k", "v", {}}}).status().code(), ErrorCode::kResourceNotFound);
  EXPECT_TRUE(engine->control().DeleteStream(s_, false).ok());  // again while DELETING: no change
  clock.Advance(1000);
  engine->RunHousekeeping();
  EXPECT_EQ(StatusOf(*engine), std::nullopt);
  // The name is free again.
  EXPECT_TRUE(engine->control().CreateStream(s_, Params(1)).ok());
}

TEST_F(TransitionTest, HousekeepingThreadFinishesTransitionsOnTime) {
  auto engine = Open(&SystemClock::Instance(), 150, 150);
  engine->Start();
  ASSERT_TRUE(engine->control().CreateStream(s_, Params(1)).ok());
  EXPECT_EQ(StatusOf(*engine), StreamStatus::kCreating);
  EXPECT_TRUE(PollUntil([&] { return StatusOf(*engine) == StreamStatus::kActive; }));
  ASSERT_TRUE(engine->control().DeleteStream(s_, false).ok());
  EXPECT_EQ(StatusOf(*engine), StreamStatus::kDeleting);
  EXPECT_TRUE(PollUntil([&] { return !StatusOf(*engine).has_value(); }));
  engine->Stop();
}

TEST_F(TransitionTest, StopIsIdempotentAndClosesTheLogs) {
  auto engine = Open(&SystemClock::Instance(), 0, 0);
  ASSERT_TRUE(engine->control().CreateStream(s_, Params(1)).ok());
  engine->Start();
  engine->Start();
  engine->Stop();
  engine->Stop();
  engine->Start();  // no effect once stopped
  auto put = PutSync(*engine, s_, {{"k", "v", {}}});
  ASSERT_TRUE(put.ok());
  EXPECT_EQ((*put)[0].status.code(), ErrorCode::kInternalFailure);
}

}  // namespace
}  // namespace sluice::engine
