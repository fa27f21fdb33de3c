// The record distribution strategy of on-demand streams
// (UpdateStreamRecordDistributionStrategy): persisted, refused for
// provisioned streams, and with AUTO the records of one key spread over
// every open shard, each answer naming the shard the record went to.
#include <gtest/gtest.h>

#include <map>

#include "engine/engine.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::OwnedEntry;
using testing::PutSync;
using testing::TempDir;

constexpr int64_t kStart = 1700000000000;
const StreamRef kStream{"123456789012", "us-east-1", "spread"};

std::unique_ptr<Engine> OpenEngine(const std::string& dir, Clock* clock, int64_t update_delay_ms = 0) {
  EngineOptions o;
  o.data_dir = dir;
  o.durability = dir.empty() ? storage::Durability::kMemory : storage::Durability::kOs;
  o.clock = clock;
  o.create_stream_delay_ms = 0;
  o.update_stream_delay_ms = update_delay_ms;
  auto engine = Engine::Open(o);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(engine).value() : nullptr;
}

void Create(Engine& engine, StreamMode mode, int shards = 4, const StreamRef& stream = kStream) {
  CreateStreamParams p;
  p.shard_count = shards;
  p.mode = mode;
  ASSERT_TRUE(engine.control().CreateStream(stream, p).ok());
}

std::optional<RecordDistribution> Strategy(Engine& engine, const StreamRef& stream = kStream) {
  Result<StreamDescription> d = engine.control().DescribeStream(stream);
  EXPECT_TRUE(d.ok()) << d.status().ToString();
  return d.ok() ? d->record_distribution : std::nullopt;
}

// Puts `count` records with the same partition key in PutRecords calls of
// 100; returns how many landed on each shard index.
std::map<int, int> PutOneKey(Engine& engine, int count) {
  std::map<int, int> per_shard;
  for (int done = 0; done < count; done += 100) {
    std::vector<OwnedEntry> batch(std::min(100, count - done), OwnedEntry{"same-key", "payload", std::nullopt});
    auto results = PutSync(engine, kStream, batch);
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    if (!results.ok()) break;
    for (const PutEntryResult& r : *results) {
      EXPECT_TRUE(r.status.ok()) << r.status.ToString();
      ++per_shard[r.shard_index];
    }
  }
  return per_shard;
}

TEST(RecordDistributionTest, OnDemandStreamsStartWithUserPartitionKeyAndProvisionedReportNone) {
  ManualClock clock(kStart);
  auto engine = OpenEngine("", &clock);
  Create(*engine, StreamMode::kOnDemand);
  EXPECT_EQ(Strategy(*engine), RecordDistribution::kUserPartitionKey);
  const StreamRef provisioned{"123456789012", "us-east-1", "provisioned"};
  Create(*engine, StreamMode::kProvisioned, 1, provisioned);
  EXPECT_EQ(Strategy(*engine, provisioned), std::nullopt);
}

TEST(RecordDistributionTest, AutoSpreadsOneKeyEvenlyOverEveryOpenShard) {
  ManualClock clock(kStart);
  auto engine = OpenEngine("", &clock);
  Create(*engine, StreamMode::kOnDemand);
  // By key, all 1,000 records go to one shard.
  EXPECT_EQ(PutOneKey(*engine, 1000).size(), 1u);

  ASSERT_TRUE(engine->control().UpdateRecordDistribution(kStream, RecordDistribution::kAuto).ok());
  EXPECT_EQ(Strategy(*engine), RecordDistribution::kAuto);
  std::map<int, int> per_shard = PutOneKey(*engine, 1000);
  ASSERT_EQ(per_shard.size(), 4u);
  for (const auto& [shard, n] : per_shard) {
    EXPECT_GE(n, 225) << ShardIdFor(shard);
    EXPECT_LE(n, 275) << ShardIdFor(shard);
  }
}

TEST(RecordDistributionTest, AutoIgnoresExplicitHashKeysAndAnswersTheShardItWroteTo) {
  ManualClock clock(kStart);
  auto engine = OpenEngine("", &clock);
  Create(*engine, StreamMode::kOnDemand, 2);
  ASSERT_TRUE(engine->control().UpdateRecordDistribution(kStream, RecordDistribution::kAuto).ok());
  std::vector<OwnedEntry> entries(10, OwnedEntry{"k", "v", HashKey{0}});
  auto results = PutSync(*engine, kStream, entries);
  ASSERT_TRUE(results.ok());
  std::map<int, int> per_shard;
  for (const PutEntryResult& r : *results) {
    ++per_shard[r.shard_index];
    // The sequence number carries the shard it was issued by.
    Result<GetRecordsResult> read = engine->records().GetRecords(
        *engine->records().GetShardIterator(kStream, ShardIdFor(r.shard_index), IteratorType::kAtSequenceNumber,
                                            std::string_view(ToView(r.sequence_number)), std::nullopt),
        1, std::nullopt);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    ASSERT_EQ(read->records.size(), 1u);
    EXPECT_EQ(ToView(read->records[0].sequence_number), ToView(r.sequence_number));
  }
  EXPECT_EQ(per_shard, (std::map<int, int>{{0, 5}, {1, 5}}));
}

TEST(RecordDistributionTest, StrategySurvivesReopen) {
  TempDir dir;
  ManualClock clock(kStart);
  {
    auto engine = OpenEngine(dir.path(), &clock);
    Create(*engine, StreamMode::kOnDemand);
    ASSERT_TRUE(engine->control().UpdateRecordDistribution(kStream, RecordDistribution::kAuto).ok());
  }
  auto engine = OpenEngine(dir.path(), &clock);
  EXPECT_EQ(Strategy(*engine), RecordDistribution::kAuto);
  EXPECT_EQ(PutOneKey(*engine, 100).size(), 4u);
}

TEST(RecordDistributionTest, ProvisionedStreamsAreRefused) {
  ManualClock clock(kStart);
  auto engine = OpenEngine("", &clock);
  Create(*engine, StreamMode::kProvisioned);
  Status st = engine->control().UpdateRecordDistribution(kStream, RecordDistribution::kAuto);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "Record distribution strategy can only be updated for streams in ON_DEMAND capacity mode. Stream "
            "spread under account 123456789012 is in PROVISIONED mode.");
  CreateStreamParams auto_provisioned;
  auto_provisioned.shard_count = 1;
  auto_provisioned.record_distribution = RecordDistribution::kAuto;
  st = engine->control().CreateStream({"123456789012", "us-east-1", "other"}, auto_provisioned);
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
}

TEST(RecordDistributionTest, SwitchingToProvisionedResetsAutoToUserPartitionKey) {
  ManualClock clock(kStart);
  auto engine = OpenEngine("", &clock);
  Create(*engine, StreamMode::kOnDemand);
  ASSERT_TRUE(engine->control().UpdateRecordDistribution(kStream, RecordDistribution::kAuto).ok());
  ASSERT_TRUE(engine->control().UpdateStreamMode(kStream, StreamMode::kProvisioned, std::nullopt).ok());
  EXPECT_EQ(PutOneKey(*engine, 100).size(), 1u);
  ASSERT_TRUE(engine->control().UpdateStreamMode(kStream, StreamMode::kOnDemand, std::nullopt).ok());
  EXPECT_EQ(Strategy(*engine), RecordDistribution::kUserPartitionKey);
}

TEST(RecordDistributionTest, ChangeNeedsAnActiveStreamAndPassesThroughUpdating) {
  ManualClock clock(kStart);
  auto engine = OpenEngine("", &clock, /*update_delay_ms=*/500);
  Create(*engine, StreamMode::kOnDemand);
  ASSERT_TRUE(engine->control().UpdateRecordDistribution(kStream, RecordDistribution::kAuto).ok());
  EXPECT_EQ(engine->control().DescribeStream(kStream)->status, StreamStatus::kUpdating);
  // Records arriving after the call are already spread.
  EXPECT_EQ(PutOneKey(*engine, 100).size(), 4u);
  Status st = engine->control().UpdateRecordDistribution(kStream, RecordDistribution::kUserPartitionKey);
  EXPECT_EQ(st.code(), ErrorCode::kResourceInUse);
  clock.Advance(500);
  engine->RunHousekeeping();
  EXPECT_EQ(engine->control().DescribeStream(kStream)->status, StreamStatus::kActive);
  EXPECT_TRUE(engine->control().UpdateRecordDistribution(kStream, RecordDistribution::kUserPartitionKey).ok());
}

}  // namespace
}  // namespace sluice::engine
