// Reading a closed shard to its end. The shard is closed by rewriting the
// metadata document between two opens of the engine, exactly as SplitShard
// persists it, so reading is tested apart from the reshard code path
// (reshard_engine_test.cc covers the operations themselves).
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "engine/hash_ranges.h"
#include "engine/metadata_log.h"
#include "engine/sequence_number.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::PutOne;
using testing::TempDir;

constexpr int64_t kStart = 1700000000000;

class ClosedShardTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> Open() {
    EngineOptions o;
    o.data_dir = dir_.path();
    o.durability = storage::Durability::kOs;
    o.clock = &clock_;
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  // Closes shard 0 at `close_ms` and adds two children splitting its range.
  void SplitShardZero(int64_t close_ms) {
    MetadataLog store(dir_.path() + "/metadata", false);
    auto metas = store.Load();
    ASSERT_TRUE(metas.ok() && metas->has_value());
    StreamMeta& m = (**metas)[0];
    m.shards[0].close_ms = close_ms;
    auto halves = EvenHashRanges(2);
    for (int i = 1; i <= 2; ++i) {
      ShardMeta child;
      child.index = i;
      child.parent = 0;
      child.range = halves[i - 1];
      child.created_seconds = m.shards[0].created_seconds + 1;
      child.open_ms = close_ms;
      m.shards.push_back(child);
    }
    ASSERT_TRUE(store.Put(m).ok());
  }

  TempDir dir_;
  ManualClock clock_{kStart};
  const StreamRef s_{"123456789012", "us-east-1", "split"};
};

TEST_F(ClosedShardTest, DrainingAClosedShardEndsWithChildShardsAndNoIterator) {
  {
    auto engine = Open();
    CreateStreamParams p;
    p.shard_count = 1;
    ASSERT_TRUE(engine->control().CreateStream(s_, p).ok());
    PutOne(*engine, s_, "k", "p1");
    PutOne(*engine, s_, "k", "p2");
  }
  clock_.Advance(2000);
  SplitShardZero(clock_.NowMillis());
  clock_.Advance(1000);
  auto engine = Open();

  auto d = engine->control().DescribeStream(s_);
  ASSERT_TRUE(d.ok());
  ASSERT_EQ(d->shards.size(), 3u);
  EXPECT_EQ(d->open_shard_count, 2);
  ASSERT_TRUE(d->shards[0].ending_sequence_number.has_value());
  EXPECT_EQ(d->shards[1].parent_shard_id, std::optional<std::string>("shardId-000000000000"));
  EXPECT_LT(*d->shards[0].ending_sequence_number, d->shards[1].starting_sequence_number);

  // Writes go to the children now.
  auto put = testing::PutSync(*engine, s_, {{"k", "c1", {}}});
  ASSERT_TRUE(put.ok());
  EXPECT_NE((*put)[0].shard_index, 0);
  const std::string child_seq(ToView((*put)[0].sequence_number));
  EXPECT_GT(child_seq, *d->shards[0].ending_sequence_number);

  auto it = engine->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
  ASSERT_TRUE(it.ok());
  auto first = engine->records().GetRecords(*it, 100, std::nullopt);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->records.size(), 2u);
  ASSERT_TRUE(first->next_shard_iterator.has_value());
  EXPECT_TRUE(first->child_shards.empty());  // never before the end

  auto end = engine->records().GetRecords(*first->next_shard_iterator, 100, std::nullopt);
  ASSERT_TRUE(end.ok());
  EXPECT_TRUE(end->records.empty());
  EXPECT_FALSE(end->next_shard_iterator.has_value());
  ASSERT_EQ(end->child_shards.size(), 2u);
  EXPECT_EQ(end->child_shards[0].shard_id, "shardId-000000000001");
  EXPECT_EQ(end->child_shards[0].parent_shards, std::vector<std::string>{"shardId-000000000000"});
  EXPECT_EQ(end->child_shards[1].hash_range.end, kMaxHashKey);
  EXPECT_EQ(end->millis_behind_latest, 0);

  // The ending sequence number positions at the end as well.
  auto at_end = engine->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kAtSequenceNumber,
                                                   *d->shards[0].ending_sequence_number, {});
  ASSERT_TRUE(at_end.ok()) << at_end.status().ToString();
  auto drained = engine->records().GetRecords(*at_end, 100, std::nullopt);
  ASSERT_TRUE(drained.ok());
  EXPECT_FALSE(drained->next_shard_iterator.has_value());

  ShardFilter latest;
  latest.type = ShardFilter::Type::kAtLatest;
  auto open = engine->control().ListShards(s_, latest, std::nullopt);
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 2u);
  EXPECT_EQ((*open)[0].shard_id, "shardId-000000000001");
}

}  // namespace
}  // namespace sluice::engine
