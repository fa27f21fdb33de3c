// SplitShard, MergeShards, UpdateShardCount and the settings that pass
// through UPDATING, on a real engine over real logs: the UPDATING period,
// persistence of a pending reshard across a restart, recovery of an
// interrupted one, quotas, retention of closed shards and concurrency.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "engine/engine.h"
#include "engine/hash_ranges.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::PutOne;
using testing::PutSync;
using testing::ReadAll;
using testing::TempDir;

constexpr int64_t kStart = 1700000000000;
const HashKey kMiddle = HashKey{1} << 127;

class ReshardEngineTest : public ::testing::Test {
 protected:
  std::unique_ptr<Engine> Open(int64_t update_delay_ms = 0, AccountQuotas quotas = {}) {
    EngineOptions o;
    o.data_dir = dir_.path();
    o.durability = storage::Durability::kOs;
    o.clock = &clock_;
    o.update_stream_delay_ms = update_delay_ms;
    o.quotas = quotas;
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  void Create(Engine& engine, int shards, StreamMode mode = StreamMode::kProvisioned) {
    CreateStreamParams p;
    if (shards > 0) p.shard_count = shards;  // ON_DEMAND without a count gets the default
    p.mode = mode;
    ASSERT_TRUE(engine.control().CreateStream(s_, p).ok());
  }

  static std::vector<Shard> Open(Engine& engine, const StreamRef& s) {
    ShardFilter latest;
    latest.type = ShardFilter::Type::kAtLatest;
    auto shards = engine.control().ListShards(s, latest, std::nullopt);
    EXPECT_TRUE(shards.ok());
    return shards.ok() ? *shards : std::vector<Shard>{};
  }

  TempDir dir_;
  ManualClock clock_{kStart};
  const StreamRef s_{"123456789012", "us-east-1", "resharded"};
};

TEST_F(ReshardEngineTest, SplitClosesTheParentAndRoutesWritesToTheChildren) {
  auto engine = Open();
  Create(*engine, 1);
  const std::string before = PutOne(*engine, s_, "k", "p1");
  ASSERT_TRUE(engine->control().SplitShard(s_, "shardId-000000000000", kMiddle).ok());

  auto d = engine->control().DescribeStream(s_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, StreamStatus::kActive);
  ASSERT_EQ(d->shards.size(), 3u);
  EXPECT_EQ(d->open_shard_count, 2);
  EXPECT_TRUE(d->shards[0].ending_sequence_number.has_value());
  EXPECT_EQ(d->shards[1].hash_range.end, kMiddle - 1);
  EXPECT_EQ(d->shards[2].hash_range.start, kMiddle);

  auto low = PutSync(*engine, s_, {{"x", "low", HashKey{5}}});
  auto high = PutSync(*engine, s_, {{"x", "high", kMaxHashKey}});
  ASSERT_TRUE(low.ok() && high.ok());
  EXPECT_EQ((*low)[0].shard_index, 1);
  EXPECT_EQ((*high)[0].shard_index, 2);
  EXPECT_GT(std::string(ToView((*low)[0].sequence_number)), before);

  std::vector<ChildShard> children;
  EXPECT_EQ(ReadAll(*engine, s_, "shardId-000000000000", &children), std::vector<std::string>{"p1"});
  ASSERT_EQ(children.size(), 2u);
  EXPECT_EQ(children[1].shard_id, "shardId-000000000002");
  EXPECT_EQ(ReadAll(*engine, s_, "shardId-000000000001"), std::vector<std::string>{"low"});
  EXPECT_EQ(ReadAll(*engine, s_, "shardId-000000000002"), std::vector<std::string>{"high"});
}

TEST_F(ReshardEngineTest, SplitMergeAndScaleKeepEveryRecordInLineageOrder) {
  auto engine = Open();
  Create(*engine, 1);
  PutOne(*engine, s_, "k", "g0");
  ASSERT_TRUE(engine->control().SplitShard(s_, "shardId-000000000000", kMiddle).ok());
  PutOne(*engine, s_, "k", "g1");
  ASSERT_TRUE(engine->control().MergeShards(s_, "shardId-000000000001", "shardId-000000000002").ok());
  PutOne(*engine, s_, "k", "g2");
  auto up = engine->control().UpdateShardCount(s_, 2);
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  EXPECT_EQ(up->current, 1);
  EXPECT_EQ(up->target, 2);
  auto three = engine->control().UpdateShardCount(s_, 3);
  ASSERT_TRUE(three.ok()) << three.status().ToString();
  EXPECT_EQ(three->current, 2);
  PutOne(*engine, s_, "k", "g3");

  std::vector<Shard> open = Open(*engine, s_);
  std::sort(open.begin(), open.end(),
            [](const Shard& a, const Shard& b) { return a.hash_range.start < b.hash_range.start; });
  ASSERT_EQ(open.size(), 3u);
  const std::vector<HashKeyRange> even = EvenHashRanges(3);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(open[i].hash_range.start, even[i].start);
    EXPECT_EQ(open[i].hash_range.end, even[i].end);
  }
  // Follow the key's lineage: each generation holds exactly its record.
  std::vector<std::string> seen;
  std::string shard = "shardId-000000000000";
  for (int generation = 0; generation < 10; ++generation) {
    std::vector<ChildShard> children;
    for (auto& data : ReadAll(*engine, s_, shard, &children)) seen.push_back(data);
    if (children.empty()) break;
    const HashKey key = HashKeyForPartitionKey("k");
    for (const ChildShard& c : children) {
      if (key >= c.hash_range.start && key <= c.hash_range.end) shard = c.shard_id;
    }
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"g0", "g1", "g2", "g3"}));
}

TEST_F(ReshardEngineTest, UpdatingDelaysTheReshardAndRefusesAnotherMeanwhile) {
  auto engine = Open(/*update_delay_ms=*/1000);
  Create(*engine, 2);
  ASSERT_TRUE(engine->control().SplitShard(s_, "shardId-000000000000", 12345).ok());
  auto d = engine->control().DescribeStream(s_);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->status, StreamStatus::kUpdating);
  EXPECT_EQ(d->shards.size(), 2u) << "the split takes effect when UPDATING ends";
  Status again = engine->control().MergeShards(s_, "shardId-000000000000", "shardId-000000000001");
  EXPECT_EQ(again.code(), ErrorCode::kResourceInUse);
  EXPECT_EQ(again.message(), "Stream resharded under account 123456789012 not ACTIVE, instead in state UPDATING");
  // Writes continue to the old shards meanwhile.
  auto put = PutSync(*engine, s_, {{"x", "during", HashKey{5}}});
  ASSERT_TRUE(put.ok());
  EXPECT_EQ((*put)[0].shard_index, 0);

  clock_.Advance(999);
  engine->RunHousekeeping();
  EXPECT_EQ(engine->control().DescribeStream(s_)->status, StreamStatus::kUpdating);
  clock_.Advance(1);
  engine->RunHousekeeping();
  d = engine->control().DescribeStream(s_);
  EXPECT_EQ(d->status, StreamStatus::kActive);
  ASSERT_EQ(d->shards.size(), 4u);
  EXPECT_EQ(d->shards[2].hash_range.end, HashKey{12344});
  EXPECT_EQ(ReadAll(*engine, s_, "shardId-000000000000"), std::vector<std::string>{"during"});
}

TEST_F(ReshardEngineTest, APendingReshardSurvivesARestart) {
  {
    auto engine = Open(/*update_delay_ms=*/60000);
    Create(*engine, 1);
    ASSERT_TRUE(engine->control().UpdateShardCount(s_, 2).ok());
    EXPECT_EQ(engine->control().DescribeStream(s_)->status, StreamStatus::kUpdating);
  }
  clock_.Advance(60000);
  auto engine = Open(/*update_delay_ms=*/0);
  EXPECT_EQ(engine->control().DescribeStream(s_)->status, StreamStatus::kUpdating);
  engine->RunHousekeeping();
  auto d = engine->control().DescribeStream(s_);
  EXPECT_EQ(d->status, StreamStatus::kActive);
  EXPECT_EQ(d->open_shard_count, 2);
  // And the applied reshard is itself durable.
  engine.reset();
  engine = Open();
  EXPECT_EQ(engine->control().DescribeStream(s_)->open_shard_count, 2);
  EXPECT_EQ(engine->control().DescribeStream(s_)->shards.size(), 3u);
}

TEST_F(ReshardEngineTest, MarkedFoldersOfAnInterruptedReshardAreRemovedAtStart) {
  std::string stream_dir;
  {
    auto engine = Open();
    Create(*engine, 1);
    PutOne(*engine, s_, "k", "kept");
  }
  for (const auto& account : std::filesystem::recursive_directory_iterator(dir_.path() + "/streams")) {
    if (account.path().filename() == "shard-000000000000") stream_dir = account.path().parent_path().string();
  }
  ASSERT_FALSE(stream_dir.empty());
  // What a crash between creating the children and saving the metadata
  // leaves: the child's folder and the mark made before it.
  std::filesystem::create_directories(stream_dir + "/shard-000000000001");
  std::ofstream(stream_dir + "/shard-000000000001/junk") << "x";
  std::ofstream(stream_dir + "/shard-000000000001.pending").close();
  auto engine = Open();
  EXPECT_FALSE(std::filesystem::exists(stream_dir + "/shard-000000000001"));
  EXPECT_TRUE(std::filesystem::exists(stream_dir + "/shard-000000000000"));
  EXPECT_EQ(ReadAll(*engine, s_, "shardId-000000000000"), std::vector<std::string>{"kept"});
  // The same index is then used by a real split, empty.
  ASSERT_TRUE(engine->control().SplitShard(s_, "shardId-000000000000", kMiddle).ok());
  EXPECT_TRUE(ReadAll(*engine, s_, "shardId-000000000001").empty());
}

TEST_F(ReshardEngineTest, ShardQuotaCountsOpenShardsOfTheNamespace) {
  AccountQuotas quotas;
  quotas.shard_limit = 3;
  auto engine = Open(0, quotas);
  Create(*engine, 2);
  ASSERT_TRUE(engine->control().SplitShard(s_, "shardId-000000000000", 12345).ok());
  Status st = engine->control().SplitShard(s_, "shardId-000000000001", kMiddle + 1000);
  EXPECT_EQ(st.code(), ErrorCode::kLimitExceeded);
  EXPECT_NE(st.message().find("This request would exceed the shard limit for the account 123456789012 in "
                              "us-east-1. Current shard count for the account: 3. Limit: 3. Number of "
                              "additional shards that would have resulted from this request: 1."),
            std::string::npos)
      << st.message();
  CreateStreamParams p;
  p.shard_count = 1;
  EXPECT_EQ(engine->control().CreateStream({"123456789012", "us-east-1", "other"}, p).code(),
            ErrorCode::kLimitExceeded);
  // Another region is another namespace.
  EXPECT_TRUE(engine->control().CreateStream({"123456789012", "eu-west-1", "other"}, p).ok());
  // Merging frees a shard.
  ASSERT_TRUE(engine->control().MergeShards(s_, "shardId-000000000002", "shardId-000000000003").ok());
  EXPECT_TRUE(engine->control().CreateStream({"123456789012", "us-east-1", "other"}, p).ok());
  EXPECT_EQ(engine->control().DescribeLimits("123456789012", "us-east-1").shard_limit, 3);
}

TEST_F(ReshardEngineTest, OnDemandStreamsRefuseReshardingAndCountAgainstTheirQuota) {
  AccountQuotas quotas;
  quotas.on_demand_stream_limit = 1;
  auto engine = Open(0, quotas);
  Create(*engine, 0, StreamMode::kOnDemand);
  EXPECT_EQ(engine->control().DescribeStream(s_)->open_shard_count, 4);
  EXPECT_EQ(engine->control().SplitShard(s_, "shardId-000000000000", 12345).code(), ErrorCode::kValidation);
  EXPECT_EQ(engine->control().UpdateShardCount(s_, 5).status().code(), ErrorCode::kValidation);

  const StreamRef other{"123456789012", "us-east-1", "other"};
  CreateStreamParams p;
  p.shard_count = 1;
  ASSERT_TRUE(engine->control().CreateStream(other, p).ok());
  EXPECT_EQ(engine->control().UpdateStreamMode(other, StreamMode::kOnDemand, std::nullopt).code(),
            ErrorCode::kLimitExceeded);
  ASSERT_TRUE(engine->control().UpdateStreamMode(s_, StreamMode::kProvisioned, std::nullopt).ok());
  EXPECT_EQ(engine->control().DescribeStream(s_)->mode, StreamMode::kProvisioned);
  EXPECT_EQ(engine->control().DescribeStream(s_)->open_shard_count, 4) << "shards are kept";
  ASSERT_TRUE(engine->control().UpdateStreamMode(other, StreamMode::kOnDemand, std::nullopt).ok());
  EXPECT_TRUE(engine->control().SplitShard(s_, "shardId-000000000000", 12345).ok());
}

TEST_F(ReshardEngineTest, SettingsChangesPassThroughUpdating) {
  auto engine = Open(/*update_delay_ms=*/500);
  Create(*engine, 1);
  ASSERT_TRUE(engine->control().UpdateMaxRecordSize(s_, 2048).ok());
  auto d = engine->control().DescribeStream(s_);
  EXPECT_EQ(d->status, StreamStatus::kUpdating);
  EXPECT_EQ(d->max_record_size_kib, 2048);
  EXPECT_EQ(engine->control().UpdateRetention(s_, 48, true).code(), ErrorCode::kResourceInUse);
  clock_.Advance(500);
  engine->RunHousekeeping();
  EXPECT_EQ(engine->control().DescribeStream(s_)->status, StreamStatus::kActive);
  ASSERT_TRUE(engine->control().UpdateRetention(s_, 48, true).ok());
  EXPECT_EQ(engine->control().DescribeStream(s_)->status, StreamStatus::kUpdating);
}

TEST_F(ReshardEngineTest, MaxRecordSizeIsEnforcedOnPuts) {
  auto engine = Open();
  Create(*engine, 1);
  const std::string big(1536 * 1024, 'x');
  auto refused = PutSync(*engine, s_, {{"k", big, std::nullopt}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(engine->control().UpdateMaxRecordSize(s_, 2048).ok());
  auto accepted = PutSync(*engine, s_, {{"k", big, std::nullopt}});
  ASSERT_TRUE(accepted.ok()) << accepted.status().ToString();
  EXPECT_TRUE((*accepted)[0].status.ok());
  const std::vector<std::string> back = ReadAll(*engine, s_, "shardId-000000000000");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0], big);
}

TEST_F(ReshardEngineTest, ClosedShardsPastRetentionLeaveTheListings) {
  auto engine = Open();
  Create(*engine, 1);
  PutOne(*engine, s_, "k", "old");
  ASSERT_TRUE(engine->control().SplitShard(s_, "shardId-000000000000", kMiddle).ok());
  clock_.Advance(24 * 3600 * 1000 + 1000);
  auto d = engine->control().DescribeStream(s_);
  ASSERT_EQ(d->shards.size(), 2u);
  EXPECT_EQ(d->shards[0].shard_id, "shardId-000000000001");
  auto it = engine->records().GetShardIterator(s_, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
  EXPECT_EQ(it.status().code(), ErrorCode::kResourceNotFound);
}

TEST_F(ReshardEngineTest, ConcurrentReshardsOfOneStreamAreSerialised) {
  auto engine = Open(/*update_delay_ms=*/10000);
  Create(*engine, 4);
  std::atomic<int> ok{0}, in_use{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      const HashKeyRange r = EvenHashRanges(4)[i];
      Status st = engine->control().SplitShard(s_, ShardIdFor(i), r.start + 1000);
      if (st.ok()) ++ok;
      if (st.code() == ErrorCode::kResourceInUse) ++in_use;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(in_use.load(), 3);
  clock_.Advance(10000);
  engine->RunHousekeeping();
  auto d = engine->control().DescribeStream(s_);
  EXPECT_EQ(d->status, StreamStatus::kActive);
  EXPECT_EQ(d->open_shard_count, 5);
  EXPECT_EQ(d->shards.size(), 6u);
}

}  // namespace
}  // namespace sluice::engine
