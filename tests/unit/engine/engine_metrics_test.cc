// Engine::Metrics(): the per-shard counters the data path keeps.
#include "engine/engine_metrics.h"

#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::PutSync;

constexpr int64_t kStart = 1700000000000;

class EngineMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions o;
    o.durability = storage::Durability::kMemory;
    o.clock = &clock_;
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    CreateStreamParams p;
    p.shard_count = 2;
    ASSERT_TRUE(engine_->control().CreateStream(s_, p).ok());
  }

  const ShardMetrics& Shard(const EngineMetrics& m, int index) {
    EXPECT_EQ(m.streams.size(), 1u);
    return m.streams.at(0).shards.at(index);
  }

  ManualClock clock_{kStart};
  std::unique_ptr<Engine> engine_;
  const StreamRef s_{"123456789012", "us-east-1", "metered"};
};

TEST_F(EngineMetricsTest, StartsAtZero) {
  EngineMetrics m = engine_->Metrics();
  ASSERT_EQ(m.streams.size(), 1u);
  EXPECT_EQ(m.streams[0].ref.name, "metered");
  EXPECT_EQ(m.streams[0].status, StreamStatus::kActive);
  ASSERT_EQ(m.streams[0].shards.size(), 2u);
  EXPECT_EQ(m.streams[0].shards[1].shard_id, "shardId-000000000001");
  EXPECT_TRUE(m.streams[0].shards[1].open);
  EXPECT_EQ(Shard(m, 0).incoming_records, 0u);
  EXPECT_EQ(Shard(m, 0).get_records_latency_us.count(), 0u);
  EXPECT_EQ(m.streams[0].bytes_on_disk, 0u);
  EXPECT_EQ(m.active_subscriptions, 0);
}

TEST_F(EngineMetricsTest, CountsPutsAndReadsPerShard) {
  const HashKey high = HashKey{1} << 127;  // the second shard
  auto put = PutSync(*engine_, s_, {{"a", "12345", HashKey{}}, {"b", "123", HashKey{}}, {"c", "1234567890", high}});
  ASSERT_TRUE(put.ok());
  EngineMetrics m = engine_->Metrics();
  EXPECT_EQ(Shard(m, 0).incoming_records, 2u);
  EXPECT_EQ(Shard(m, 0).incoming_bytes, 8u);  // data only, not the partition keys
  EXPECT_EQ(Shard(m, 1).incoming_records, 1u);
  EXPECT_EQ(Shard(m, 1).incoming_bytes, 10u);
  EXPECT_GT(m.streams[0].bytes_on_disk, 18u);

  auto it = engine_->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon, std::nullopt,
                                                std::nullopt);
  ASSERT_TRUE(it.ok());
  auto page = engine_->records().GetRecords(*it, 1, std::nullopt);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->records.size(), 1u);
  clock_.Advance(250);
  auto rest = engine_->records().GetRecords(*page->next_shard_iterator, 1, std::nullopt);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->records.size(), 1u);
  m = engine_->Metrics();
  EXPECT_EQ(Shard(m, 0).get_records_records, 2u);
  EXPECT_EQ(Shard(m, 0).get_records_bytes, 8u);
  EXPECT_EQ(Shard(m, 0).get_records_latency_us.count(), 2u);
  EXPECT_EQ(Shard(m, 0).iterator_age_ms, rest->millis_behind_latest);
  EXPECT_EQ(Shard(m, 1).get_records_records, 0u);
  EXPECT_EQ(Shard(m, 0).write_throughput_exceeded, 0u);
  EXPECT_EQ(Shard(m, 0).read_throughput_exceeded, 0u);
}

TEST_F(EngineMetricsTest, IteratorAgeIsTheLastMillisBehindLatest) {
  ASSERT_TRUE(PutSync(*engine_, s_, {{"a", "x", HashKey{}}, {"b", "y", HashKey{}}}).ok());
  clock_.Advance(1500);
  auto it = engine_->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon, std::nullopt,
                                                std::nullopt);
  ASSERT_TRUE(it.ok());
  auto page = engine_->records().GetRecords(*it, 1, std::nullopt);  // one of two: behind by the first's age
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->millis_behind_latest, 1500);
  EXPECT_EQ(Shard(engine_->Metrics(), 0).iterator_age_ms, 1500);
  auto rest = engine_->records().GetRecords(*page->next_shard_iterator, 10, std::nullopt);
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(Shard(engine_->Metrics(), 0).iterator_age_ms, 0);  // caught up
}

}  // namespace
}  // namespace sluice::engine
