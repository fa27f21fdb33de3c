#include "bench/bench_flags.h"

#include <gtest/gtest.h>

namespace sluice::bench {
namespace {

TEST(BenchFlagsTest, CountListKeepsOrderAndDropsEmptyItems) {
  std::vector<int64_t> counts;
  ASSERT_TRUE(ParseCountList("100,10000,,100000", 1, 1'000'000, &counts));
  EXPECT_EQ(counts, (std::vector<int64_t>{100, 10000, 100000}));
}

TEST(BenchFlagsTest, CountListRefusesOutOfRangeOrJunkAndKeepsTheOldValue) {
  std::vector<int64_t> counts = {7};
  EXPECT_FALSE(ParseCountList("100,0", 1, 1000, &counts));
  EXPECT_FALSE(ParseCountList("100,1001", 1, 1000, &counts));
  EXPECT_FALSE(ParseCountList("100,1e3", 1, 1000, &counts));
  EXPECT_FALSE(ParseCountList(",", 1, 1000, &counts));
  EXPECT_FALSE(ParseCountList("", 1, 1000, &counts));
  EXPECT_EQ(counts, (std::vector<int64_t>{7}));
}

TEST(BenchFlagsTest, IntMustBeWholeAndInRange) {
  int64_t v = 3;
  EXPECT_TRUE(ParseInt("42", 0, 100, &v));
  EXPECT_EQ(v, 42);
  EXPECT_FALSE(ParseInt("42x", 0, 100, &v));
  EXPECT_FALSE(ParseInt("-1", 0, 100, &v));
  EXPECT_FALSE(ParseInt("", 0, 100, &v));
  EXPECT_EQ(v, 42);
}

TEST(BenchFlagsTest, SplitDropsEmptyItemsOnAnySeparator) {
  EXPECT_EQ(Split("a,b,,c,", ','), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Split("--shard-limit 200000  --durability os", ' '),
            (std::vector<std::string>{"--shard-limit", "200000", "--durability", "os"}));
  EXPECT_TRUE(Split("", ',').empty());
}

}  // namespace
}  // namespace sluice::bench
