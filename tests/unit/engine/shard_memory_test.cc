// What a shard costs in memory while nothing uses it: the engine's own state
// for it (ShardState, its metadata and router entry) plus its log's
// bookkeeping, with no segment, counters or throughput buckets built.
#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdio>
#include <string>

#include "engine/engine.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::PutOne;
using testing::TempDir;

constexpr int kStreams = 20;
constexpr int kShardsPerStream = 50;  // under the size built on the control-plane worker
constexpr int kShards = kStreams * kShardsPerStream;

// Heap bytes in use (glibc's mallinfo2).
size_t HeapInUse() { return mallinfo2().uordblks; }

StreamRef Stream(int i) { return {"123456789012", "us-east-1", "s" + std::to_string(i)}; }

std::unique_ptr<Engine> OpenEngine(const std::string& dir, ManualClock* clock) {
  EngineOptions o;
  o.data_dir = dir;
  o.durability = storage::Durability::kOs;
  o.clock = clock;
  o.create_stream_delay_ms = 0;
  auto engine = Engine::Open(o);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(engine).value() : nullptr;
}

TEST(ShardMemoryTest, AnUntouchedShardAfterARestartCostsUnder800BytesOfHeap) {
  TempDir dir;
  ManualClock clock(1700000000000);
  {
    auto engine = OpenEngine(dir.path(), &clock);
    ASSERT_TRUE(engine);
    CreateStreamParams p;
    p.shard_count = kShardsPerStream;
    for (int i = 0; i < kStreams; ++i) ASSERT_TRUE(engine->control().CreateStream(Stream(i), p).ok());
    for (int i = 0; i < kStreams; ++i) PutOne(*engine, Stream(i), "k", "v");  // every log has a segment
    engine->Stop();
  }
  const size_t before = HeapInUse();
  auto engine = OpenEngine(dir.path(), &clock);
  ASSERT_TRUE(engine);
  const size_t per_shard = (HeapInUse() - before) / kShards;
  std::printf("heap per untouched shard (engine and log): %zu bytes\n", per_shard);
  RecordProperty("heap_bytes_per_untouched_shard", static_cast<int>(per_shard));
  // About 1,900 while every shard built its counters, throughput buckets and
  // waiter list at once; about 1,090 while an unloaded log kept its whole
  // state (locks, condition variable, statuses). Now about 700: the engine's
  // ShardState (128 with its shared_ptr block), ShardMeta (96) and router
  // entry (48), and the log's handle (128, storage::ShardLog), its folder's
  // path (about 100) and the store wrapper (32).
  EXPECT_LT(per_shard, 800u);
  engine->Stop();
}

}  // namespace
}  // namespace sluice::engine
