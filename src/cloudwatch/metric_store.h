// MetricStore: the datapoints put to CloudWatch, kept in memory only — they
// are telemetry, and do not survive a restart.
//
// A metric is its account, region, namespace, name and dimensions (sorted by
// name, so the order a client sends them in does not matter). For each, the
// store keeps the latest value put and one aggregate (sample count, sum,
// minimum, maximum, unit) per minute of the datapoints' timestamps, for the
// most recent `minutes_kept` minutes that received data: older minutes are
// dropped as newer ones arrive. High-resolution datapoints
// (StorageResolution 1) are aggregated per minute as well.
//
// Bounded: at most `max_metrics` distinct metrics. Once that many exist,
// datapoints of new metrics are dropped (counted in dropped(), with one
// warning in the log the first time), while the metrics already kept go on
// receiving data. Memory is about max_metrics × minutes_kept × 48 bytes at
// worst.
//
// Thread-safe (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::cloudwatch {

struct Dimension {
  std::string name;
  std::string value;
  bool operator==(const Dimension&) const = default;
};

struct MetricId {
  std::string account;
  std::string region;
  std::string namespace_;
  std::string name;
  std::vector<Dimension> dimensions;  // sorted by name once stored
};

// Sample count, sum, minimum and maximum of some datapoints.
struct Aggregate {
  double count = 0;
  double sum = 0;
  double min = 0;
  double max = 0;

  void Merge(const Aggregate& other);
};

// One period's statistics, as GetMetricStatistics returns them.
struct PeriodStatistics {
  int64_t start_seconds = 0;
  Aggregate aggregate;
  std::string unit;
};

// A metric and its latest datapoint, as /metrics and the console show it.
struct LatestValue {
  MetricId id;
  double value = 0;
  int64_t timestamp_ms = 0;
  std::string unit;
};

struct MetricStoreOptions {
  size_t max_metrics = 10000;
  int minutes_kept = 180;  // three hours, what ListMetrics' RecentlyActive looks at
};

class MetricStore {
 public:
  explicit MetricStore(MetricStoreOptions options = {}) : options_(options) {}

  // Adds datapoints to the metric `id` (its dimensions sorted here) at
  // `timestamp_ms`: `aggregate` summarises them, `latest` is the value the
  // metric shows as its latest when this is its newest datapoint (a single
  // value, else the mean). Returns false when the metric is new and the
  // store is full (nothing kept).
  bool Put(MetricId id, int64_t timestamp_ms, const Aggregate& aggregate, double latest, std::string_view unit);

  struct ListFilter {
    std::string namespace_;             // empty: any
    std::string name;                   // empty: any
    std::vector<Dimension> dimensions;  // each must be present; an empty value matches any value
  };
  struct ListPage {
    std::vector<MetricId> metrics;
    std::string next_token;  // empty: no more
  };
  // The metrics of `account` and `region` that pass `filter`, in a stable
  // order, at most `limit` from after `token` (a next_token of an earlier
  // page, or empty). An unreadable token is nullopt.
  std::optional<ListPage> List(std::string_view account, std::string_view region, const ListFilter& filter,
                               std::string_view token, size_t limit) const;

  // The statistics of `id` per `period_seconds` (a multiple of 60) over the
  // minutes in [start, end), only of datapoints put with `unit` when it is
  // not empty; periods without data are left out. Oldest first.
  std::vector<PeriodStatistics> Statistics(const MetricId& id, int64_t start_seconds, int64_t end_seconds,
                                           int64_t period_seconds, std::string_view unit) const;

  // Up to `limit` metrics with their latest values, in List's order.
  std::vector<LatestValue> Latest(size_t limit) const;

  size_t size() const;
  uint64_t dropped() const;

 private:
  struct Minute {
    int64_t minute = 0;  // epoch minutes
    Aggregate aggregate;
    std::string unit;
  };
  struct Series {
    MetricId id;
    std::vector<Minute> minutes;  // ascending, at most minutes_kept
    double latest = 0;
    int64_t latest_ms = INT64_MIN;
    std::string latest_unit;
  };

  const MetricStoreOptions options_;
  mutable std::mutex mu_;
  std::map<std::string, Series> series_;  // by MetricKey(id)
  uint64_t dropped_ = 0;
  bool warned_full_ = false;
};

// The store's key of a metric: its parts joined by '\0' (dimensions sorted).
std::string MetricKey(const MetricId& id);

}  // namespace sluice::cloudwatch
