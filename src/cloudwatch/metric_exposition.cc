#include "cloudwatch/metric_exposition.h"

#include <algorithm>

#include "protocol/json_writer.h"

namespace sluice::cloudwatch {

std::string PrometheusLabelName(std::string_view name, const std::vector<std::string>& taken) {
  std::string label;
  label.reserve(name.size());
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    label.push_back(ok ? c : '_');
  }
  // Names beginning with "__" are reserved by Prometheus.
  if (label.empty() || (label[0] >= '0' && label[0] <= '9') || label.starts_with("__")) label = "dim_" + label;
  while (std::find(taken.begin(), taken.end(), label) != taken.end()) label = "dim_" + label;
  return label;
}

void AddCloudWatchMetrics(const MetricStore& store, metrics::Exposition& out) {
  out.Declare("sluice_cloudwatch_metrics", "Distinct CloudWatch metrics stored (from PutMetricData).",
              metrics::MetricType::kGauge)
      .Add({}, static_cast<uint64_t>(store.size()));
  out.Declare("sluice_cloudwatch_dropped_datapoints_total",
              "PutMetricData datapoints of new metrics dropped because the metric store was full.",
              metrics::MetricType::kCounter)
      .Add({}, store.dropped());
  metrics::Family& family =
      out.Declare("sluice_cloudwatch_metric",
                  "Latest value put to a CloudWatch metric (PutMetricData), by namespace, name and dimensions.",
                  metrics::MetricType::kGauge);
  for (const LatestValue& v : store.Latest(kMaxExposedMetrics)) {
    metrics::Labels labels = {
        {"account", v.id.account}, {"region", v.id.region}, {"namespace", v.id.namespace_}, {"metric", v.id.name}};
    std::vector<std::string> taken = {"account", "region", "namespace", "metric"};
    for (const Dimension& d : v.id.dimensions) {
      std::string label = PrometheusLabelName(d.name, taken);
      taken.push_back(label);
      labels.emplace_back(std::move(label), d.value);
    }
    family.Add(labels, v.value);
  }
}

std::string LatestValuesJson(const MetricStore& store) {
  std::string body;
  protocol::JsonWriter w(&body);
  w.BeginObject();
  w.Key("metrics");
  w.BeginArray();
  for (const LatestValue& v : store.Latest(kMaxExposedMetrics)) {
    w.BeginObject();
    w.Member("account", v.id.account);
    w.Member("region", v.id.region);
    w.Member("namespace", v.id.namespace_);
    w.Member("metric", v.id.name);
    w.Key("dimensions");
    w.BeginArray();
    for (const Dimension& d : v.id.dimensions) {
      w.BeginObject();
      w.Member("name", d.name);
      w.Member("value", d.value);
      w.EndObject();
    }
    w.EndArray();
    w.MemberDouble("value", v.value);
    w.Member("unit", v.unit);
    w.MemberInt("timestamp_ms", v.timestamp_ms);
    w.EndObject();
  }
  w.EndArray();
  w.MemberInt("count", static_cast<int64_t>(store.size()));
  w.MemberInt("dropped", static_cast<int64_t>(store.dropped()));
  w.EndObject();
  return body;
}

}  // namespace sluice::cloudwatch
