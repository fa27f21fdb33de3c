// Retention enforced by the housekeeping pass: whole segments past retention
// are trimmed from the logs, moving TRIM_HORIZON forward.
#include <gtest/gtest.h>

#include <fstream>

#include "engine/engine.h"
#include "engine/shard_iterator.h"
#include "engine_test_util.h"

namespace sluice::engine {
namespace {

using testing::PutOne;
using testing::TempDir;

constexpr int64_t kStart = 1700000000000;
constexpr int64_t kHour = 3600 * 1000;

TEST(RetentionTest, HousekeepingTrimsSegmentsPastRetention) {
  TempDir dir;
  ManualClock clock(kStart);
  EngineOptions o;
  o.data_dir = dir.path();
  o.durability = storage::Durability::kOs;
  o.clock = &clock;
  o.log.segment_max_bytes = 1;  // every batch starts a new segment
  auto engine = Engine::Open(o);
  ASSERT_TRUE(engine.ok()) << engine.status().ToString();
  const StreamRef s{"123456789012", "us-east-1", "short"};
  CreateStreamParams p;
  p.shard_count = 1;
  ASSERT_TRUE((*engine)->control().CreateStream(s, p).ok());
  PutOne(**engine, s, "k", "old");
  clock.Advance(25 * kHour);
  PutOne(**engine, s, "k", "new");
  PutOne(**engine, s, "k", "newest");

  // The token's offset shows where TRIM_HORIZON starts; read it with the
  // engine's own key from the data directory.
  auto codec = IteratorCodec::Open(dir.path() + "/iterator.key");
  ASSERT_TRUE(codec.ok());
  auto horizon_offset = [&]() -> uint64_t {
    auto it = (*engine)->records().GetShardIterator(s, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {});
    EXPECT_TRUE(it.ok());
    auto pos = codec->Decode(*it);
    EXPECT_TRUE(pos.ok());
    return pos.ok() ? pos->offset : ~0ull;
  };
  EXPECT_EQ(horizon_offset(), 0u);
  (*engine)->RunHousekeeping();
  EXPECT_EQ(horizon_offset(), 1u);

  auto got = (*engine)->records().GetRecords(
      *(*engine)->records().GetShardIterator(s, "shardId-000000000000", IteratorType::kTrimHorizon, {}, {}), 100,
      std::nullopt);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->records.size(), 2u);
  EXPECT_EQ(got->records[0].data, "new");
}

}  // namespace
}  // namespace sluice::engine
