// GetMetricStatistics: the stored minutes of one metric, aggregated per
// period. Percentiles (ExtendedStatistics) are not kept.
#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "cloudwatch/errors.h"
#include "cloudwatch/operations.h"

namespace sluice::cloudwatch {
namespace {

constexpr std::array<std::string_view, 5> kStatistics = {"SampleCount", "Average", "Sum", "Minimum", "Maximum"};

Result<double> RequireTime(const Value& input, std::string_view key) {
  const Value* v = input.Find(key);
  if (v == nullptr) return MissingParameter(fmt::format("The parameter {} is required.", key));
  std::optional<double> t = v->AsTime();
  if (!t || !std::isfinite(*t))
    return InvalidParameterValue(fmt::format("The parameter {} is not a valid timestamp.", key));
  return *t;
}

Result<std::vector<std::string>> ReadStatistics(const Value& list) {
  if (list.kind() != Value::Kind::kList) return Status::Serialization("Expected a list for Statistics");
  if (list.items().size() > kStatistics.size()) {
    return InvalidParameterValue("The collection Statistics must not have a size greater than 5.");
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < list.items().size(); ++i) {
    std::optional<std::string_view> s = list.items()[i].AsString();
    if (!s || std::find(kStatistics.begin(), kStatistics.end(), *s) == kStatistics.end()) {
      return InvalidParameterValue(fmt::format("The value {} for parameter Statistics.member.{} is invalid.",
                                               s.value_or("(not a string)"), i + 1));
    }
    out.emplace_back(*s);
  }
  return out;
}

double StatisticOf(std::string_view statistic, const Aggregate& a) {
  if (statistic == "SampleCount") return a.count;
  if (statistic == "Sum") return a.sum;
  if (statistic == "Minimum") return a.min;
  if (statistic == "Maximum") return a.max;
  return a.sum / a.count;
}

}  // namespace

Result<Value> GetMetricStatistics(const Value& input, const OperationContext& context) {
  MetricId id{context.account, context.region, {}, {}, {}};
  SLUICE_ASSIGN_OR_RETURN(id.namespace_, RequireString(input, "Namespace", "Namespace"));
  SLUICE_RETURN_IF_ERROR(CheckNamespace(id.namespace_, /*putting=*/false));
  SLUICE_ASSIGN_OR_RETURN(id.name, RequireString(input, "MetricName", "MetricName"));
  SLUICE_ASSIGN_OR_RETURN(id.dimensions, ReadDimensions(input, "Dimensions"));
  SLUICE_ASSIGN_OR_RETURN(double start, RequireTime(input, "StartTime"));
  SLUICE_ASSIGN_OR_RETURN(double end, RequireTime(input, "EndTime"));
  const Value* period_value = input.Find("Period");
  if (period_value == nullptr) return MissingParameter("The parameter Period is required.");
  std::optional<double> period = period_value->AsNumber();
  if (!period || *period < 60 || std::fmod(*period, 60) != 0) {
    return InvalidParameterValue("The parameter Period must be a multiple of 60.");
  }
  const Value* statistics = input.Find("Statistics");
  const Value* extended = input.Find("ExtendedStatistics");
  if ((statistics == nullptr) == (extended == nullptr)) {
    return InvalidParameterCombination("Must specify either Statistics or ExtendedStatistics, but not both.");
  }
  if (extended != nullptr) {
    return InvalidParameterValue("ExtendedStatistics (percentiles) are not kept by this server; ask for Statistics.");
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<std::string> wanted, ReadStatistics(*statistics));
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> unit, ReadString(input, "Unit", "Unit"));
  // Start times are rounded down to the minute, as the service does for
  // recent data.
  if (start >= end) return InvalidParameterValue("The parameter StartTime must be less than the parameter EndTime.");
  const auto start_s = static_cast<int64_t>(std::floor(start / 60)) * 60;
  const auto end_s = static_cast<int64_t>(std::ceil(end));
  const auto period_s = static_cast<int64_t>(*period);
  const int64_t requested = (end_s - start_s + period_s - 1) / period_s;
  if (requested > kMaxDatapointsPerCall) {
    return InvalidParameterCombination(fmt::format(
        "You have requested up to {} datapoints, which exceeds the limit of {}. You may reduce the datapoints "
        "requested by increasing Period, or decreasing the time range.",
        requested, kMaxDatapointsPerCall));
  }

  Value output = Value::Map();
  output.Set("Label", Value::String(id.name));
  Value& datapoints = output.Set("Datapoints", Value::List());
  for (const PeriodStatistics& p : context.store.Statistics(id, start_s, end_s, period_s, unit.value_or(""))) {
    Value& point = datapoints.Add(Value::Map());
    point.Set("Timestamp", Value::Timestamp(static_cast<double>(p.start_seconds)));
    for (const std::string& statistic : wanted)
      point.Set(statistic, Value::Number(StatisticOf(statistic, p.aggregate)));
    point.Set("Unit", Value::String(p.unit));
  }
  return output;
}

}  // namespace sluice::cloudwatch
