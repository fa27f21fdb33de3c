#include "metrics/exposition.h"

#include <gtest/gtest.h>

namespace sluice::metrics {
namespace {

TEST(ExpositionTest, CountersAndGaugesWithHelpAndTypeOnce) {
  Exposition out;
  out.Declare("sluice_incoming_records_total", "IncomingRecords: records put.", MetricType::kCounter)
      .Add({{"stream", "s"}, {"shard", "shardId-000000000000"}}, uint64_t{5});
  out.Declare("sluice_active_subscriptions", "Subscriptions.", MetricType::kGauge).Add({}, int64_t{2});
  // Declaring again adds to the first declaration, whatever the new help.
  out.Declare("sluice_incoming_records_total", "ignored", MetricType::kCounter)
      .Add({{"stream", "s"}, {"shard", "shardId-000000000001"}}, uint64_t{18446744073709551615ull});
  EXPECT_EQ(out.Render(),
            "# HELP sluice_incoming_records_total IncomingRecords: records put.\n"
            "# TYPE sluice_incoming_records_total counter\n"
            "sluice_incoming_records_total{stream=\"s\",shard=\"shardId-000000000000\"} 5\n"
            "sluice_incoming_records_total{stream=\"s\",shard=\"shardId-000000000001\"} 18446744073709551615\n"
            "# HELP sluice_active_subscriptions Subscriptions.\n"
            "# TYPE sluice_active_subscriptions gauge\n"
            "sluice_active_subscriptions 2\n");
}

TEST(ExpositionTest, FamilyWithoutSamplesStillDeclared) {
  Exposition out;
  out.Declare("x_total", "X.", MetricType::kCounter);
  EXPECT_EQ(out.Render(), "# HELP x_total X.\n# TYPE x_total counter\n");
}

TEST(ExpositionTest, EscapesLabelValuesAndHelp) {
  Exposition out;
  out.Declare("m", "a \\ b\nc \"q\"", MetricType::kGauge).Add({{"l", "x\\y\"z\nw"}}, 1.5);
  EXPECT_EQ(out.Render(),
            "# HELP m a \\\\ b\\nc \"q\"\n"
            "# TYPE m gauge\n"
            "m{l=\"x\\\\y\\\"z\\nw\"} 1.5\n");
}

TEST(ExpositionTest, Values) {
  EXPECT_EQ(FormatValue(3.0), "3");
  EXPECT_EQ(FormatValue(0.25), "0.25");
  EXPECT_EQ(FormatValue(1.0 / 0.0), "+Inf");
  EXPECT_EQ(FormatValue(-1.0 / 0.0), "-Inf");
  EXPECT_EQ(FormatValue(0.0 / 0.0), "NaN");
}

TEST(ExpositionTest, HistogramBucketsAreCumulativeAndScaled) {
  AtomicHistogram h({1000, 10000});
  h.Observe(500);
  h.Observe(1000);  // on a bound: that bucket (le is inclusive)
  h.Observe(5000);
  h.Observe(20000);  // overflow
  Exposition out;
  out.Declare("lat_seconds", "Latency.", MetricType::kHistogram).AddHistogram({{"op", "Get"}}, h.Read(), 1e-6);
  EXPECT_EQ(out.Render(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{op=\"Get\",le=\"0.001\"} 2\n"
            "lat_seconds_bucket{op=\"Get\",le=\"0.01\"} 3\n"
            "lat_seconds_bucket{op=\"Get\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{op=\"Get\"} 0.0265\n"
            "lat_seconds_count{op=\"Get\"} 4\n");
}

TEST(ExpositionTest, LatencyBoundsAreWrittenAsTheirDecimals) {
  // As doubles, 100000 * 1e-6 is 0.09999999999999999 and 25000 * 1e-6 is 0.024999999999999998.
  AtomicHistogram h(AtomicHistogram::LatencyMicrosBounds());
  h.Observe(300000);
  Exposition out;
  out.Declare("lat_seconds", "Latency.", MetricType::kHistogram).AddHistogram({}, h.Read(), 1e-6);
  std::string les;
  const std::string text = out.Render();
  for (size_t at = text.find("le=\""); at != std::string::npos; at = text.find("le=\"", at + 1)) {
    les += text.substr(at + 4, text.find('"', at + 4) - at - 4) + ' ';
  }
  EXPECT_EQ(les, "0.0001 0.00025 0.0005 0.001 0.0025 0.005 0.01 0.025 0.05 0.1 0.25 0.5 1 2.5 10 +Inf ");
  EXPECT_NE(text.find("lat_seconds_sum 0.3\n"), std::string::npos) << text;
}

TEST(ExpositionTest, ScaledValuesMoveTheDecimalPointExactly) {
  EXPECT_EQ(FormatScaled(100000, 1e-6), "0.1");
  EXPECT_EQ(FormatScaled(1500, 1e-3), "1.5");
  EXPECT_EQ(FormatScaled(7, 1e-6), "0.000007");
  EXPECT_EQ(FormatScaled(0, 1e-6), "0");
  EXPECT_EQ(FormatScaled(2000000, 1e-6), "2");
  EXPECT_EQ(FormatScaled(18446744073709551615ull, 1.0), "18446744073709551615");
  EXPECT_EQ(FormatScaled(18446744073709551615ull, 1e-18), "18.446744073709551615");
  // Not a power of ten: the shortest double that reads back.
  EXPECT_EQ(FormatScaled(3, 0.5), "1.5");
}

TEST(ExpositionTest, UnscaledHistogramWithoutLabels) {
  AtomicHistogram h({1, 4});
  h.Observe(3);
  h.Observe(3);
  Exposition out;
  out.Declare("batch", "Batch.", MetricType::kHistogram).AddHistogram({}, h.Read());
  EXPECT_EQ(out.Render(),
            "# HELP batch Batch.\n"
            "# TYPE batch histogram\n"
            "batch_bucket{le=\"1\"} 0\n"
            "batch_bucket{le=\"4\"} 2\n"
            "batch_bucket{le=\"+Inf\"} 2\n"
            "batch_sum 6\n"
            "batch_count 2\n");
}

}  // namespace
}  // namespace sluice::metrics
