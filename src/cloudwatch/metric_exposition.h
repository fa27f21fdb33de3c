// What the stored CloudWatch metrics look like outside the API: samples on
// GET /metrics and a JSON list for the console.
//
//   sluice_cloudwatch_metric{account="…",region="…",namespace="KinesisClientLibrary",
//                            metric="RecordsProcessed",Operation="ProcessTask",ShardId="…"} 25
//
// one sample per metric (its latest value), at most kMaxExposedMetrics of
// them, with dimensions as labels: a dimension name becomes a Prometheus label
// name (characters outside [a-zA-Z0-9_] as '_', a leading digit or a name
// taken by the fixed labels or another dimension prefixed with "dim_"),
// values escaped by the exposition format. Also
// sluice_cloudwatch_metrics (distinct metrics stored) and
// sluice_cloudwatch_dropped_datapoints_total (datapoints of new metrics
// dropped because the store was full).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "cloudwatch/metric_store.h"
#include "metrics/exposition.h"

namespace sluice::cloudwatch {

inline constexpr size_t kMaxExposedMetrics = 2000;

void AddCloudWatchMetrics(const MetricStore& store, metrics::Exposition& out);

// `name` as a Prometheus label name, distinct from each of `taken`.
std::string PrometheusLabelName(std::string_view name, const std::vector<std::string>& taken);

// The console's list: {"metrics":[{"account","region","namespace","metric",
// "dimensions":{name: value},"value","unit","timestamp_ms"}...],"count":N,
// "dropped":N}, at most kMaxExposedMetrics entries.
std::string LatestValuesJson(const MetricStore& store);

}  // namespace sluice::cloudwatch
