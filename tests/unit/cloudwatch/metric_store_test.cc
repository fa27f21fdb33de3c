#include "cloudwatch/metric_store.h"

#include <gtest/gtest.h>

namespace sluice::cloudwatch {
namespace {

MetricId Id(std::string name, std::vector<Dimension> dimensions = {}, std::string account = "a") {
  return {std::move(account), "r", "App", std::move(name), std::move(dimensions)};
}

Aggregate One(double v) { return {1, v, v, v}; }

TEST(MetricStoreTest, DatapointsOfOneMinuteAggregateAndPeriodsGroupMinutes) {
  MetricStore store;
  ASSERT_TRUE(store.Put(Id("m"), 60'000, One(3), 3, "Count"));
  ASSERT_TRUE(store.Put(Id("m"), 119'999, One(5), 5, "Count"));
  ASSERT_TRUE(store.Put(Id("m"), 120'000, {4, 10, 1, 4}, 2.5, "Count"));
  std::vector<PeriodStatistics> minutes = store.Statistics(Id("m"), 0, 600, 60, "");
  ASSERT_EQ(minutes.size(), 2u);
  EXPECT_EQ(minutes[0].start_seconds, 60);
  EXPECT_EQ(minutes[0].aggregate.count, 2);
  EXPECT_EQ(minutes[0].aggregate.sum, 8);
  EXPECT_EQ(minutes[0].aggregate.min, 3);
  EXPECT_EQ(minutes[0].aggregate.max, 5);
  std::vector<PeriodStatistics> whole = store.Statistics(Id("m"), 0, 600, 300, "");
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_EQ(whole[0].aggregate.count, 6);
  EXPECT_EQ(whole[0].aggregate.min, 1);
  EXPECT_TRUE(store.Statistics(Id("m"), 0, 600, 60, "Bytes").empty()) << "another unit";
  EXPECT_TRUE(store.Statistics(Id("m"), 180, 600, 60, "").empty()) << "outside the window";
}

TEST(MetricStoreTest, DimensionOrderDoesNotMakeAnotherMetric) {
  MetricStore store;
  ASSERT_TRUE(store.Put(Id("m", {{"B", "2"}, {"A", "1"}}), 0, One(1), 1, "None"));
  ASSERT_TRUE(store.Put(Id("m", {{"A", "1"}, {"B", "2"}}), 0, One(1), 1, "None"));
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.Statistics(Id("m", {{"B", "2"}, {"A", "1"}}), 0, 60, 60, "").at(0).aggregate.count, 2);
}

TEST(MetricStoreTest, AFullStoreDropsNewMetricsButFeedsKnownOnes) {
  MetricStore store({.max_metrics = 2, .minutes_kept = 10});
  ASSERT_TRUE(store.Put(Id("a"), 0, One(1), 1, "None"));
  ASSERT_TRUE(store.Put(Id("b"), 0, One(1), 1, "None"));
  EXPECT_FALSE(store.Put(Id("c"), 0, One(1), 1, "None"));
  EXPECT_FALSE(store.Put(Id("d"), 0, One(1), 1, "None"));
  EXPECT_TRUE(store.Put(Id("a"), 60'000, One(2), 2, "None"));
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.dropped(), 2u);
}

TEST(MetricStoreTest, OnlyTheNewestMinutesAreKept) {
  MetricStore store({.max_metrics = 10, .minutes_kept = 3});
  for (int minute : {5, 1, 2, 3, 4, 0}) ASSERT_TRUE(store.Put(Id("m"), minute * 60'000, One(minute), minute, "None"));
  std::vector<PeriodStatistics> kept = store.Statistics(Id("m"), 0, 3600, 60, "");
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept[0].start_seconds, 180);
  EXPECT_EQ(kept[2].start_seconds, 300);
  // The latest value is the one with the newest timestamp, not the last put.
  EXPECT_EQ(store.Latest(10).at(0).value, 5);
}

TEST(MetricStoreTest, ListFiltersPerAccountAndPagesWithATokenOfItsOwn) {
  MetricStore store;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(store.Put(Id("m", {{"Shard", std::to_string(i)}, {"Op", i % 2 ? "odd" : "even"}}), 0, One(i), i, ""));
  }
  ASSERT_TRUE(store.Put(Id("m", {}, "other"), 0, One(1), 1, ""));
  auto first = store.List("a", "r", {}, "", 2);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->metrics.size(), 2u);
  ASSERT_FALSE(first->next_token.empty());
  auto rest = store.List("a", "r", {}, first->next_token, 10);
  ASSERT_TRUE(rest.has_value());
  EXPECT_EQ(rest->metrics.size(), 3u);
  EXPECT_TRUE(rest->next_token.empty());
  EXPECT_EQ(store.List("a", "r", {.namespace_ = "", .name = "", .dimensions = {{"Op", "odd"}}}, "", 10)->metrics.size(),
            2u);
  EXPECT_EQ(store.List("a", "r", {.namespace_ = "", .name = "", .dimensions = {{"Op", ""}}}, "", 10)->metrics.size(),
            5u);
  EXPECT_EQ(store.List("a", "r", {.namespace_ = "Other", .name = "", .dimensions = {}}, "", 10)->metrics.size(), 0u);
  // A token of another account's listing, or no token at all, is refused.
  EXPECT_FALSE(store.List("other", "r", {}, first->next_token, 10).has_value());
  EXPECT_FALSE(store.List("a", "r", {}, "!!", 10).has_value());
}

}  // namespace
}  // namespace sluice::cloudwatch
