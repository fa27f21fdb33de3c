// The reshard rules as pure metadata changes: 128-bit edges of the hash key
// space, lineage, and UpdateShardCount's splits and merges.
#include "engine/resharding.h"

#include <gtest/gtest.h>

#include "engine/hash_ranges.h"

namespace sluice::engine {
namespace {

constexpr int64_t kNow = 1700000000000;

StreamMeta StreamOf(const std::vector<HashKeyRange>& ranges) {
  StreamMeta m;
  m.ref = {"123456789012", "us-east-1", "s"};
  m.status = StreamStatus::kActive;
  for (size_t i = 0; i < ranges.size(); ++i) {
    ShardMeta s;
    s.index = static_cast<int>(i);
    s.range = ranges[i];
    s.created_seconds = kNow / 1000 - 100;
    s.open_ms = kNow - 100000;
    m.shards.push_back(s);
  }
  return m;
}

ReshardOp Split(int shard, HashKey key) {
  ReshardOp op;
  op.kind = ReshardOp::Kind::kSplit;
  op.shard = shard;
  op.key = key;
  return op;
}

ReshardOp Merge(int a, int b) {
  ReshardOp op;
  op.kind = ReshardOp::Kind::kMerge;
  op.shard = a;
  op.adjacent = b;
  return op;
}

ReshardOp Scale(int target) {
  ReshardOp op;
  op.kind = ReshardOp::Kind::kScale;
  op.target = target;
  return op;
}

std::vector<HashKeyRange> OpenRanges(const StreamMeta& m) {
  std::vector<HashKeyRange> out;
  for (const ShardMeta* s : OpenShardsByStart(m)) out.push_back(s->range);
  return out;
}

// Lineage invariants every change must keep.
void ExpectValidLineage(const StreamMeta& m) {
  EXPECT_TRUE(OpenShardsCoverKeySpace(m));
  for (size_t i = 0; i < m.shards.size(); ++i) {
    const ShardMeta& s = m.shards[i];
    EXPECT_EQ(s.index, static_cast<int>(i));
    for (std::optional<int> p : {s.parent, s.adjacent_parent}) {
      if (!p) continue;
      ASSERT_LT(*p, s.index) << "parents come before children";
      const ShardMeta& parent = m.shards[*p];
      EXPECT_FALSE(parent.open()) << "a parent is closed";
      EXPECT_GT(s.created_seconds, parent.created_seconds) << "children's sequence numbers exceed the parents'";
      EXPECT_TRUE(s.range.start >= parent.range.start || s.range.end <= parent.range.end);
    }
    if (s.adjacent_parent) {
      EXPECT_TRUE(s.parent.has_value());
    }
  }
}

TEST(ReshardingTest, SplitAtTheLowestAndHighestAllowedKeys) {
  // Strictly inside: above start + 1 and below the end.
  for (HashKey key : {HashKey{2}, kMaxHashKey - 1}) {
    StreamMeta m = StreamOf({{0, kMaxHashKey}});
    auto made = ApplyReshard(m, Split(0, key), kNow);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    EXPECT_EQ(*made, (std::vector<int>{1, 2}));
    EXPECT_EQ(m.shards[0].close_ms, kNow);
    EXPECT_EQ(m.shards[1].range.start, HashKey{0});
    EXPECT_EQ(m.shards[1].range.end, key - 1);
    EXPECT_EQ(m.shards[2].range.start, key);
    EXPECT_EQ(m.shards[2].range.end, kMaxHashKey);
    EXPECT_EQ(m.shards[1].parent, 0);
    EXPECT_EQ(m.shards[2].parent, 0);
    EXPECT_FALSE(m.shards[1].adjacent_parent.has_value());
    EXPECT_EQ(m.shards[1].open_ms, kNow);
    ExpectValidLineage(m);
  }
}

TEST(ReshardingTest, SplitRefusesKeysAtOrOutsideTheEdges) {
  const StreamMeta m = StreamOf({{0, kMaxHashKey}});
  for (HashKey key : {HashKey{0}, HashKey{1}, kMaxHashKey}) {
    Status st = CheckReshard(m, Split(0, key));
    EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument) << HashKeyToString(key);
  }
  EXPECT_EQ(CheckReshard(m, Split(0, 1)).message(),
            "NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000000 in stream s under account "
            "123456789012 is not both greater than one plus the shard's StartingHashKey 0 and less than the "
            "shard's EndingHashKey 340282366920938463463374607431768211455.");
  StreamMeta copy = m;
  EXPECT_FALSE(ApplyReshard(copy, Split(0, 1), kNow).ok());
  EXPECT_EQ(copy.shards.size(), 1u) << "a refused change leaves the metadata alone";
  EXPECT_TRUE(copy.shards[0].open());
}

TEST(ReshardingTest, SplitOfTheTopmostShardKeepsTheLastKey) {
  StreamMeta m = StreamOf({{0, kMaxHashKey - 4}, {kMaxHashKey - 3, kMaxHashKey}});
  ASSERT_TRUE(ApplyReshard(m, Split(1, kMaxHashKey - 1), kNow).ok());
  EXPECT_EQ(m.shards[2].range.start, kMaxHashKey - 3);
  EXPECT_EQ(m.shards[2].range.end, kMaxHashKey - 2);
  EXPECT_EQ(m.shards[3].range.start, kMaxHashKey - 1);
  EXPECT_EQ(m.shards[3].range.end, kMaxHashKey);
  ExpectValidLineage(m);
  // A two-key shard cannot be split at all.
  EXPECT_EQ(CheckReshard(m, Split(3, kMaxHashKey)).code(), ErrorCode::kInvalidArgument);
}

TEST(ReshardingTest, ClosedAndUnknownShardsAreRefused) {
  StreamMeta m = StreamOf({{0, kMaxHashKey}});
  ASSERT_TRUE(ApplyReshard(m, Split(0, HashKey{1} << 127), kNow).ok());
  Status closed = CheckReshard(m, Split(0, HashKey{1} << 126));
  EXPECT_EQ(closed.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(closed.message(),
            "Shard shardId-000000000000 in stream s under account 123456789012 has already been merged or "
            "split, and thus is not eligible for merging or splitting.");
  EXPECT_EQ(CheckReshard(m, Merge(0, 1)).code(), ErrorCode::kInvalidArgument);
  Status unknown = CheckReshard(m, Split(7, 5));
  EXPECT_EQ(unknown.code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(unknown.message(), "Could not find shard shardId-000000000007 in stream s under account 123456789012.");
  EXPECT_EQ(CheckReshard(m, Merge(1, 9)).code(), ErrorCode::kResourceNotFound);
}

TEST(ReshardingTest, MergeTakesAdjacentShardsInEitherOrder) {
  const std::vector<HashKeyRange> three = EvenHashRanges(3);
  for (auto [a, b] : {std::pair{0, 1}, std::pair{1, 0}, std::pair{2, 1}}) {
    StreamMeta m = StreamOf(three);
    auto made = ApplyReshard(m, Merge(a, b), kNow);
    ASSERT_TRUE(made.ok()) << made.status().ToString();
    ASSERT_EQ(made->size(), 1u);
    const ShardMeta& child = m.shards[3];
    EXPECT_EQ(child.parent, a);
    EXPECT_EQ(child.adjacent_parent, b);
    EXPECT_EQ(child.range.start, std::min(three[a].start, three[b].start));
    EXPECT_EQ(child.range.end, std::max(three[a].end, three[b].end));
    ExpectValidLineage(m);
  }
}

TEST(ReshardingTest, MergeRefusesShardsThatAreNotAdjacent) {
  const StreamMeta m = StreamOf(EvenHashRanges(3));
  Status st = CheckReshard(m, Merge(0, 2));
  EXPECT_EQ(st.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "Shards shardId-000000000000 and shardId-000000000002 in stream s under account 123456789012 are "
            "not an adjacent pair of shards eligible for merging");
  EXPECT_EQ(CheckReshard(m, Merge(1, 1)).code(), ErrorCode::kInvalidArgument);
}

TEST(ReshardingTest, ScaleBoundsAreTwiceAndHalfTheOpenShards) {
  const StreamMeta one = StreamOf(EvenHashRanges(1));
  EXPECT_TRUE(CheckReshard(one, Scale(2)).ok());
  Status up = CheckReshard(one, Scale(3));
  EXPECT_EQ(up.code(), ErrorCode::kLimitExceeded);
  EXPECT_EQ(up.message(),
            "UpdateShardCount cannot scale up over double your current open shard count. Current open shard "
            "count: 1 Target shard count: 3");
  const StreamMeta four = StreamOf(EvenHashRanges(4));
  EXPECT_TRUE(CheckReshard(four, Scale(2)).ok());
  EXPECT_EQ(CheckReshard(four, Scale(1)).code(), ErrorCode::kLimitExceeded);
  const StreamMeta five = StreamOf(EvenHashRanges(5));
  EXPECT_TRUE(CheckReshard(five, Scale(3)).ok());
  EXPECT_EQ(CheckReshard(five, Scale(2)).code(), ErrorCode::kLimitExceeded);
}

TEST(ReshardingTest, ScaleReachesEvenRangesFromEveryStartWithinBounds) {
  for (int from = 1; from <= 8; ++from) {
    for (int to = (from + 1) / 2; to <= 2 * from; ++to) {
      StreamMeta m = StreamOf(EvenHashRanges(from));
      auto made = ApplyReshard(m, Scale(to), kNow);
      ASSERT_TRUE(made.ok()) << from << "->" << to << ": " << made.status().ToString();
      const std::vector<HashKeyRange> got = OpenRanges(m);
      const std::vector<HashKeyRange> want = EvenHashRanges(to);
      ASSERT_EQ(got.size(), want.size()) << from << "->" << to;
      for (size_t i = 0; i < want.size(); ++i) {
        EXPECT_EQ(got[i].start, want[i].start) << from << "->" << to << " shard " << i;
        EXPECT_EQ(got[i].end, want[i].end) << from << "->" << to << " shard " << i;
      }
      EXPECT_EQ(OpenShardCountAfter(StreamOf(EvenHashRanges(from)), Scale(to)), to);
      ExpectValidLineage(m);
    }
  }
}

TEST(ReshardingTest, ScaleFromUnevenShardsAfterSplitsAndMerges) {
  StreamMeta m = StreamOf(EvenHashRanges(2));
  ASSERT_TRUE(ApplyReshard(m, Split(0, 12345), kNow).ok());     // shards 2, 3
  ASSERT_TRUE(ApplyReshard(m, Merge(3, 1), kNow + 1000).ok());  // shard 4
  ASSERT_TRUE(ApplyReshard(m, Scale(4), kNow + 2000).ok());
  const std::vector<HashKeyRange> got = OpenRanges(m);
  const std::vector<HashKeyRange> want = EvenHashRanges(4);
  ASSERT_EQ(got.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(got[i].start, want[i].start);
    EXPECT_EQ(got[i].end, want[i].end);
  }
  ExpectValidLineage(m);
}

TEST(ReshardingTest, ChildrenOfOneOperationGetLaterSequenceNumberTimes) {
  StreamMeta m = StreamOf(EvenHashRanges(1));
  ASSERT_TRUE(ApplyReshard(m, Scale(2), kNow).ok());
  // The parent was created 100 s before `now`: children start at now.
  EXPECT_EQ(m.shards[1].created_seconds, kNow / 1000);
  // A second reshard within the same second still moves forward.
  ASSERT_TRUE(ApplyReshard(m, Merge(1, 2), kNow).ok());
  EXPECT_EQ(m.shards[3].created_seconds, kNow / 1000 + 1);
}

TEST(ReshardingTest, CoverageDetectsGapsAndOverlaps) {
  EXPECT_TRUE(OpenShardsCoverKeySpace(StreamOf(EvenHashRanges(3))));
  EXPECT_FALSE(OpenShardsCoverKeySpace(StreamOf({{0, 10}, {12, kMaxHashKey}})));
  EXPECT_FALSE(OpenShardsCoverKeySpace(StreamOf({{0, 10}, {10, kMaxHashKey}})));
  EXPECT_FALSE(OpenShardsCoverKeySpace(StreamOf({{1, kMaxHashKey}})));
  EXPECT_FALSE(OpenShardsCoverKeySpace(StreamOf({{0, kMaxHashKey - 1}})));
}

}  // namespace
}  // namespace sluice::engine
