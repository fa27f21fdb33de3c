#include "bench/histogram.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace sluice::bench {
namespace {

TEST(HistogramTest, EmptyHistogramAnswersZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(50), 0);
  EXPECT_EQ(h.Percentile(99), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.min(), 0);
}

TEST(HistogramTest, SmallValuesAreExact) {
  Histogram h;
  for (int v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.Percentile(50), 50);
  EXPECT_EQ(h.Percentile(99), 99);
  EXPECT_EQ(h.Percentile(100), 100);
  EXPECT_EQ(h.Percentile(0), 1);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 100);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

TEST(HistogramTest, BucketsTileTheRangeWithoutGaps) {
  EXPECT_EQ(Histogram::BucketLowest(0), 0);
  for (int i = 0; i + 1 < Histogram::kBucketCount; ++i) {
    ASSERT_EQ(Histogram::BucketHighest(i) + 1, Histogram::BucketLowest(i + 1)) << "bucket " << i;
    ASSERT_EQ(Histogram::BucketIndex(Histogram::BucketLowest(i)), i);
    ASSERT_EQ(Histogram::BucketIndex(Histogram::BucketHighest(i)), i);
  }
  EXPECT_EQ(Histogram::BucketIndex(std::numeric_limits<int64_t>::max()), Histogram::kBucketCount - 1);
}

TEST(HistogramTest, LargeValuesWithinRelativeErrorBound) {
  for (int64_t v : {int64_t{128}, int64_t{1000}, int64_t{123456}, int64_t{987654321}, int64_t{1} << 40,
                    (int64_t{1} << 62) + 12345}) {
    const int i = Histogram::BucketIndex(v);
    const int64_t lo = Histogram::BucketLowest(i), hi = Histogram::BucketHighest(i);
    EXPECT_LE(lo, v);
    EXPECT_GE(hi, v);
    EXPECT_LE(static_cast<double>(hi - lo), static_cast<double>(v) / 64.0) << v;
  }
}

TEST(HistogramTest, PercentilesOfLatencyLikeDistribution) {
  Histogram h;
  // 990 fast requests of ~1 ms, 10 slow ones of ~50 ms.
  for (int i = 0; i < 990; ++i) h.Record(1'000'000 + i);
  for (int i = 0; i < 10; ++i) h.Record(50'000'000 + i);
  const int64_t p50 = h.Percentile(50);
  EXPECT_GE(p50, 1'000'000);
  EXPECT_LE(p50, 1'000'000 * 65 / 64 + 1000);
  const int64_t p99 = h.Percentile(99);
  EXPECT_LT(p99, 2'000'000);  // rank 990 is the last fast one
  EXPECT_GE(h.Percentile(99.9), 50'000'000);
  EXPECT_EQ(h.Percentile(100), 50'000'009);  // clamped to the exact maximum
  EXPECT_EQ(h.max(), 50'000'009);
}

TEST(HistogramTest, NegativeValuesCountAsZero) {
  Histogram h;
  h.Record(-5);
  EXPECT_EQ(h.count(), 1u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.Percentile(50), 0);
}

TEST(HistogramTest, MergeAddsCountsAndExtremes) {
  Histogram a, b;
  for (int i = 0; i < 50; ++i) a.Record(10);
  for (int i = 0; i < 50; ++i) b.Record(1'000'000);
  a.Merge(b);
  EXPECT_EQ(a.count(), 100u);
  EXPECT_EQ(a.min(), 10);
  EXPECT_EQ(a.max(), 1'000'000);
  EXPECT_EQ(a.Percentile(50), 10);
  EXPECT_EQ(a.Percentile(51), 1'000'000);
}

TEST(HistogramTest, ClearForgetsEverything) {
  Histogram h;
  h.Record(42);
  h.Clear();
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.Percentile(50), 0);
}

}  // namespace
}  // namespace sluice::bench
