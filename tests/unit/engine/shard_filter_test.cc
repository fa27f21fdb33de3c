#include "engine/shard_filter.h"

#include <gtest/gtest.h>

namespace sluice::engine {
namespace {

constexpr int64_t kHour = 3600 * 1000;

// A stream created at t=100h with 24 h retention: shard 0 closed at 110h
// (split into 1 and 2), shard 1 closed at 150h (into 3), shards 2 and 3 open.
class ShardFilterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stream_.creation_ms = 100 * kHour;
    stream_.retention_hours = 24;
    auto add = [&](int index, int64_t open, std::optional<int64_t> close) {
      ShardMeta s;
      s.index = index;
      s.open_ms = open;
      s.close_ms = close;
      s.created_seconds = open / 1000;
      stream_.shards.push_back(s);
    };
    add(0, 100 * kHour, 110 * kHour);
    add(1, 110 * kHour, 150 * kHour);
    add(2, 110 * kHour, std::nullopt);
    add(3, 150 * kHour, std::nullopt);
  }

  std::vector<std::string> Ids(ShardFilter::Type type, int64_t now, int64_t ts = 0, std::string after = "") {
    ShardFilter f;
    f.type = type;
    f.timestamp_ms = ts;
    f.shard_id = after;
    std::vector<std::string> out;
    for (const Shard& s : FilterShards(stream_, f, now)) out.push_back(s.shard_id.substr(17));
    return out;
  }

  StreamMeta stream_;
  using V = std::vector<std::string>;
};

TEST_F(ShardFilterTest, TrimHorizonIsNeverBeforeCreation) {
  EXPECT_EQ(TrimHorizonMillis(stream_, 101 * kHour), 100 * kHour);
  EXPECT_EQ(TrimHorizonMillis(stream_, 200 * kHour), 176 * kHour);
}

TEST_F(ShardFilterTest, FromTrimHorizonDropsShardsClosedBeforeIt) {
  EXPECT_EQ(Ids(ShardFilter::Type::kNone, 120 * kHour), (V{"000", "001", "002", "003"}));
  EXPECT_EQ(Ids(ShardFilter::Type::kFromTrimHorizon, 140 * kHour), (V{"001", "002", "003"}));
  EXPECT_EQ(Ids(ShardFilter::Type::kFromTrimHorizon, 200 * kHour), (V{"002", "003"}));
}

TEST_F(ShardFilterTest, AtTrimHorizonListsShardsOpenThen) {
  EXPECT_EQ(Ids(ShardFilter::Type::kAtTrimHorizon, 105 * kHour), (V{"000"}));
  EXPECT_EQ(Ids(ShardFilter::Type::kAtTrimHorizon, 140 * kHour), (V{"001", "002"}));
}

TEST_F(ShardFilterTest, AtLatestListsOpenShards) {
  EXPECT_EQ(Ids(ShardFilter::Type::kAtLatest, 160 * kHour), (V{"002", "003"}));
}

TEST_F(ShardFilterTest, AtTimestampListsShardsOpenAtThatInstant) {
  EXPECT_EQ(Ids(ShardFilter::Type::kAtTimestamp, 120 * kHour, 105 * kHour), (V{"000"}));
  EXPECT_EQ(Ids(ShardFilter::Type::kAtTimestamp, 120 * kHour, 115 * kHour), (V{"001", "002"}));
  EXPECT_EQ(Ids(ShardFilter::Type::kAtTimestamp, 160 * kHour, 150 * kHour), (V{"002", "003"}));
  // Before the trim horizon: treated as the trim horizon (136h).
  EXPECT_EQ(Ids(ShardFilter::Type::kAtTimestamp, 160 * kHour, 0), (V{"001", "002"}));
}

TEST_F(ShardFilterTest, FromTimestampAddsShardsClosedAtOrAfterIt) {
  EXPECT_EQ(Ids(ShardFilter::Type::kFromTimestamp, 120 * kHour, 110 * kHour), (V{"000", "001", "002", "003"}));
  EXPECT_EQ(Ids(ShardFilter::Type::kFromTimestamp, 120 * kHour, 111 * kHour), (V{"001", "002", "003"}));
}

TEST_F(ShardFilterTest, AfterShardIdAcceptsBothForms) {
  EXPECT_EQ(Ids(ShardFilter::Type::kAfterShardId, 120 * kHour, 0, "shardId-000000000001"), (V{"002", "003"}));
  EXPECT_EQ(Ids(ShardFilter::Type::kAfterShardId, 120 * kHour, 0, "2"), (V{"003"}));
}

TEST_F(ShardFilterTest, ClosedShardsCarryAnEndingSequenceNumber) {
  ShardFilter f;
  auto shards = FilterShards(stream_, f, 120 * kHour);
  ASSERT_EQ(shards.size(), 4u);
  EXPECT_TRUE(shards[0].ending_sequence_number.has_value());
  EXPECT_FALSE(shards[2].ending_sequence_number.has_value());
  EXPECT_LT(*shards[0].ending_sequence_number, shards[1].starting_sequence_number);
}

}  // namespace
}  // namespace sluice::engine

namespace sluice::engine {
namespace {

TEST(ChildCreatedSecondsTest, IsLaterThanEveryParentEvenWhenTheClockIsBehind) {
  ShardMeta a, b;
  a.created_seconds = 1000;
  b.created_seconds = 5000;
  EXPECT_EQ(ChildCreatedSeconds(2000000, {&a}), 2000);      // the clock is ahead: now
  EXPECT_EQ(ChildCreatedSeconds(2000000, {&a, &b}), 5001);  // a parent is ahead: parent + 1
  EXPECT_EQ(ChildCreatedSeconds(1000000, {&a}), 1001);      // same second: parent + 1
}

// 10,000 open shards: a page costs its own shards (and one more to tell
// whether more follow), wherever it starts.
StreamMeta ManyShards(int count) {
  StreamMeta stream;
  stream.creation_ms = 100 * kHour;
  for (int i = 0; i < count; ++i) {
    ShardMeta s;
    s.index = i;
    s.open_ms = stream.creation_ms;
    stream.shards.push_back(s);
  }
  return stream;
}

TEST(ShardFilterPageTest, APageLooksOnlyAtItsOwnShardsWhereverItStarts) {
  const StreamMeta stream = ManyShards(10000);
  for (int after : {-1, 5000, 9000}) {
    ShardPage page = FilterShardPage(stream, ShardFilter{}, 101 * kHour, ShardPageRequest{after, 100});
    ASSERT_EQ(page.shards.size(), 100u);
    EXPECT_EQ(page.shards.front().shard_id, ShardIdFor(after + 1));
    EXPECT_EQ(page.shards.back().shard_id, ShardIdFor(after + 100));
    EXPECT_TRUE(page.more);
    EXPECT_EQ(page.examined, 101u) << "after " << after;
  }
  ShardPage last = FilterShardPage(stream, ShardFilter{}, 101 * kHour, ShardPageRequest{9949, 100});
  EXPECT_EQ(last.shards.size(), 50u);
  EXPECT_FALSE(last.more);
  EXPECT_EQ(last.examined, 50u);
  EXPECT_EQ(FilterShardPage(stream, ShardFilter{}, 101 * kHour, kNoShards).examined, 0u);
}

TEST(ShardFilterPageTest, AfterShardIdStartsAtTheIdWithoutScanningTheShardsBeforeIt) {
  const StreamMeta stream = ManyShards(10000);
  ShardFilter after{ShardFilter::Type::kAfterShardId, ShardIdFor(7000), 0};
  ShardPage page = FilterShardPage(stream, after, 101 * kHour, ShardPageRequest{-1, 10});
  ASSERT_EQ(page.shards.size(), 10u);
  EXPECT_EQ(page.shards.front().shard_id, ShardIdFor(7001));
  EXPECT_EQ(page.examined, 11u);
  // An id that does not parse is compared as a string: found by bisection.
  ShardFilter lexical{ShardFilter::Type::kAfterShardId, "shardId-000000007000x", 0};
  page = FilterShardPage(stream, lexical, 101 * kHour, ShardPageRequest{-1, 10});
  ASSERT_EQ(page.shards.size(), 10u);
  EXPECT_EQ(page.shards.front().shard_id, ShardIdFor(7001));
  EXPECT_EQ(page.examined, 11u);
}

}  // namespace
}  // namespace sluice::engine
