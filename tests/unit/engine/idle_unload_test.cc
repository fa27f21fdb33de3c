// EngineOptions::shard_idle_unload_ms: the housekeeping pass unloads a shard
// log left idle, and the next read loads it again with every record; a
// /metrics scrape answers the size of an unloaded log without loading it.
#include <gtest/gtest.h>

#include <string>

#include "engine/engine.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::PollUntil;
using testing::PutOne;
using testing::ReadAll;
using testing::TempDir;

const StreamRef kStream{"123456789012", "us-east-1", "idle"};
const std::string kShard = "shardId-000000000000";

std::unique_ptr<Engine> OpenEngine(const std::string& dir, ManualClock* clock, int64_t idle_ms,
                                   storage::Durability durability = storage::Durability::kFsync) {
  EngineOptions o;
  o.data_dir = dir;
  o.durability = durability;
  o.clock = clock;
  o.create_stream_delay_ms = 0;
  o.retention_check_interval_ms = 1;
  o.shard_idle_unload_ms = idle_ms;
  auto engine = Engine::Open(o);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(engine).value() : nullptr;
}

// One housekeeping pass that walks the shards.
void Pass(Engine& engine, ManualClock& clock) {
  clock.Advance(10);
  engine.RunHousekeeping();
}

TEST(IdleUnloadTest, AnIdleShardLogIsUnloadedAndReadsBackEveryRecord) {
  TempDir dir;
  ManualClock clock(1700000000000);
  auto engine = OpenEngine(dir.path(), &clock, 1);
  ASSERT_TRUE(engine);
  CreateStreamParams p;
  p.shard_count = 1;
  ASSERT_TRUE(engine->control().CreateStream(kStream, p).ok());
  for (int i = 0; i < 20; ++i) PutOne(*engine, kStream, "k", "v" + std::to_string(i));
  EXPECT_EQ(engine->Metrics().storage.loaded_shard_logs, 1u);

  ASSERT_TRUE(PollUntil([&] {
    Pass(*engine, clock);
    return engine->Metrics().storage.shard_log_unloads == 1;
  }));
  EXPECT_EQ(engine->Metrics().storage.loaded_shard_logs, 0u);
  const std::vector<std::string> records = ReadAll(*engine, kStream, kShard);
  ASSERT_EQ(records.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(records[i], "v" + std::to_string(i));
  EXPECT_EQ(engine->Metrics().storage.loaded_shard_logs, 1u);  // the read loaded it
  PutOne(*engine, kStream, "k", "after");
  EXPECT_EQ(ReadAll(*engine, kStream, kShard).size(), 21u);
  engine->Stop();
}

TEST(IdleUnloadTest, AShardUsedWithinTheIdleTimeStaysLoaded) {
  TempDir dir;
  ManualClock clock(1700000000000);
  auto engine = OpenEngine(dir.path(), &clock, 60'000);
  ASSERT_TRUE(engine);
  CreateStreamParams p;
  p.shard_count = 1;
  ASSERT_TRUE(engine->control().CreateStream(kStream, p).ok());
  PutOne(*engine, kStream, "k", "v");
  for (int i = 0; i < 5; ++i) Pass(*engine, clock);
  EXPECT_EQ(engine->Metrics().storage.shard_log_unloads, 0u);
  EXPECT_EQ(engine->Metrics().storage.loaded_shard_logs, 1u);
  engine->Stop();
}

TEST(IdleUnloadTest, AScrapeAnswersSizesWithoutLoadingShardLogs) {
  TempDir dir;
  ManualClock clock(1700000000000);
  uint64_t bytes = 0;
  {
    auto engine = OpenEngine(dir.path(), &clock, 0);
    ASSERT_TRUE(engine);
    CreateStreamParams p;
    p.shard_count = 4;
    ASSERT_TRUE(engine->control().CreateStream(kStream, p).ok());
    for (int i = 0; i < 20; ++i) PutOne(*engine, kStream, "k" + std::to_string(i), "v");
    bytes = engine->Metrics().streams.at(0).bytes_on_disk;
    ASSERT_GT(bytes, 0u);
    engine->Stop();
  }
  auto engine = OpenEngine(dir.path(), &clock, 0);
  ASSERT_TRUE(engine);
  const EngineMetrics first = engine->Metrics();
  EXPECT_EQ(first.storage.loaded_shard_logs, 0u);
  EXPECT_EQ(first.streams.at(0).bytes_on_disk, bytes);
  EXPECT_EQ(engine->Metrics().storage.loaded_shard_logs, 0u);
  engine->Stop();
}

}  // namespace
}  // namespace sluice::engine
