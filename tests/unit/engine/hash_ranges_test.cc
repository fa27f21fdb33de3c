#include "engine/hash_ranges.h"

#include <gtest/gtest.h>

namespace sluice::engine {
namespace {

HashKey Key(const char* decimal) { return *ParseHashKey(decimal); }

TEST(HashRangesTest, OneShardCoversEverything) {
  auto r = EvenHashRanges(1);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].start, 0);
  EXPECT_EQ(r[0].end, kMaxHashKey);
}

TEST(HashRangesTest, TwoShardsSplitAtTwoToThe127) {
  auto r = EvenHashRanges(2);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(HashKeyToString(r[0].end), "170141183460469231731687303715884105727");
  EXPECT_EQ(HashKeyToString(r[1].start), "170141183460469231731687303715884105728");
  EXPECT_EQ(r[1].end, kMaxHashKey);
}

TEST(HashRangesTest, ThreeShardsMatchTheServiceRanges) {
  // The service's (and kinesalite's) ranges for a three-shard stream.
  auto r = EvenHashRanges(3);
  EXPECT_EQ(HashKeyToString(r[0].end), "113427455640312821154458202477256070484");
  EXPECT_EQ(HashKeyToString(r[1].start), "113427455640312821154458202477256070485");
  EXPECT_EQ(HashKeyToString(r[1].end), "226854911280625642308916404954512140969");
  EXPECT_EQ(HashKeyToString(r[2].start), "226854911280625642308916404954512140970");
}

TEST(HashRangesTest, RangesTileTheSpaceForManyCounts) {
  for (int n : {1, 2, 3, 4, 5, 7, 8, 10, 64, 100, 1000}) {
    auto r = EvenHashRanges(n);
    ASSERT_EQ(static_cast<int>(r.size()), n);
    EXPECT_EQ(r.front().start, 0);
    EXPECT_EQ(r.back().end, kMaxHashKey);
    for (int i = 1; i < n; ++i) ASSERT_EQ(r[i].start, r[i - 1].end + 1) << n << " " << i;
  }
}

TEST(ShardRouterTest, RoutesMd5OfAToTheShardHoldingIt) {
  // MD5("a") = 0cc175b9c0f1b6a831c399e269772661 = 16955237001963240173058271559858726497.
  const HashKey a = HashKeyForPartitionKey("a");
  EXPECT_EQ(HashKeyToString(a), "16955237001963240173058271559858726497");
  std::vector<ShardRouter::Entry> entries;
  auto ranges = EvenHashRanges(4);
  for (int i = 3; i >= 0; --i) entries.push_back({ranges[i], i});  // any order
  ShardRouter router(entries);
  EXPECT_EQ(router.Route(a), 0);  // a < 2^126
  EXPECT_EQ(router.Route(0), 0);
  EXPECT_EQ(router.Route(kMaxHashKey), 3);
  EXPECT_EQ(router.Route(ranges[2].start), 2);
  EXPECT_EQ(router.Route(ranges[2].start - 1), 1);
  EXPECT_EQ(router.Route(Key("170141183460469231731687303715884105728")), 2);
}

TEST(ShardRouterTest, GapsRouteNowhere) {
  ShardRouter router({{{10, 20}, 4}});
  EXPECT_EQ(router.Route(9), -1);
  EXPECT_EQ(router.Route(10), 4);
  EXPECT_EQ(router.Route(20), 4);
  EXPECT_EQ(router.Route(21), -1);
}

}  // namespace
}  // namespace sluice::engine
