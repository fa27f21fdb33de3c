// PutMetricData: every datum is checked first, then all are stored (a call
// is kept whole or not at all).
#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "cloudwatch/errors.h"
#include "cloudwatch/operations.h"

namespace sluice::cloudwatch {
namespace {

constexpr std::array<std::string_view, 27> kUnits = {
    "Seconds",          "Microseconds",     "Milliseconds", "Bytes",           "Kilobytes",        "Megabytes",
    "Gigabytes",        "Terabytes",        "Bits",         "Kilobits",        "Megabits",         "Gigabits",
    "Terabits",         "Percent",          "Count",        "Bytes/Second",    "Kilobytes/Second", "Megabytes/Second",
    "Gigabytes/Second", "Terabytes/Second", "Bits/Second",  "Kilobits/Second", "Megabits/Second",  "Gigabits/Second",
    "Terabits/Second",  "Count/Second",     "None"};

constexpr int64_t kTwoWeeksMs = 14LL * 24 * 3600 * 1000;
constexpr int64_t kTwoHoursMs = 2LL * 3600 * 1000;
// The service refuses values outside [-2^360, 2^360].
const double kMaxMagnitude = std::ldexp(1.0, 360);

struct Datum {
  MetricId id;
  int64_t timestamp_ms = 0;
  Aggregate aggregate;
  double latest = 0;
  std::string unit;
};

Result<double> ReadValue(const Value& v, std::string_view path) {
  std::optional<double> d = v.AsNumber();
  if (!d) {
    if (std::optional<std::string_view> text = v.AsString()) {
      return InvalidParameterValue(fmt::format("The value {} for parameter {} is invalid.", *text, path));
    }
    return Status::Serialization(fmt::format("Expected a number for {}", path));
  }
  if (!std::isfinite(*d) || std::fabs(*d) > kMaxMagnitude) {
    return InvalidParameterValue(
        fmt::format("The value {} for parameter {} is invalid.", std::isnan(*d) ? "NaN" : fmt::format("{}", *d), path));
  }
  return *d;
}

Result<std::vector<double>> ReadValueList(const Value& datum, std::string_view key, std::string_view path) {
  std::vector<double> out;
  const Value* list = datum.Find(key);
  if (list == nullptr) return out;
  if (list->kind() != Value::Kind::kList) return Status::Serialization(fmt::format("Expected a list for {}", path));
  for (size_t i = 0; i < list->items().size(); ++i) {
    SLUICE_ASSIGN_OR_RETURN(double d, ReadValue(list->items()[i], fmt::format("{}.member.{}", path, i + 1)));
    out.push_back(d);
  }
  return out;
}

Result<Aggregate> ReadStatisticSet(const Value& set, std::string_view path) {
  if (set.kind() != Value::Kind::kMap) return Status::Serialization(fmt::format("Expected a structure for {}", path));
  std::array<double, 4> v{};
  constexpr std::array<std::string_view, 4> kNames = {"SampleCount", "Sum", "Minimum", "Maximum"};
  for (size_t i = 0; i < kNames.size(); ++i) {
    const std::string at = fmt::format("{}.{}", path, kNames[i]);
    const Value* member = set.Find(kNames[i]);
    if (member == nullptr) return MissingParameter(fmt::format("The parameter {} is required.", at));
    SLUICE_ASSIGN_OR_RETURN(v[i], ReadValue(*member, at));
  }
  if (v[0] <= 0) {
    return InvalidParameterValue(fmt::format("The value {} for parameter {}.SampleCount is invalid.", v[0], path));
  }
  if (v[2] > v[3]) {
    return InvalidParameterValue(
        fmt::format("The parameter {}.Minimum must not be greater than the parameter {}.Maximum.", path, path));
  }
  return Aggregate{v[0], v[1], v[2], v[3]};
}

Status CombinationError(std::string_view path, std::string_view a, std::string_view b) {
  return InvalidParameterCombination(fmt::format(
      "The parameters {}.{} and {}.{} are mutually exclusive and you have specified both.", path, a, path, b));
}

// Reads and checks the datum at `path`.
Result<Datum> ReadDatum(const Value& item, std::string_view path, const OperationContext& context) {
  if (item.kind() != Value::Kind::kMap) return Status::Serialization(fmt::format("Expected a structure for {}", path));
  Datum d;
  SLUICE_ASSIGN_OR_RETURN(d.id.name, RequireString(item, "MetricName", fmt::format("{}.MetricName", path)));
  if (d.id.name.size() > 255) {
    return InvalidParameterValue(
        fmt::format("The parameter {}.MetricName must not be longer than 255 characters.", path));
  }
  SLUICE_ASSIGN_OR_RETURN(d.id.dimensions, ReadDimensions(item, fmt::format("{}.Dimensions", path)));

  d.timestamp_ms = context.now_ms;
  if (const Value* t = item.Find("Timestamp")) {
    std::optional<double> seconds = t->AsTime();
    if (!seconds || !std::isfinite(*seconds)) {
      return InvalidParameterValue(fmt::format("The parameter {}.Timestamp is not a valid timestamp.", path));
    }
    d.timestamp_ms = static_cast<int64_t>(std::llround(*seconds * 1000));
    if (d.timestamp_ms < context.now_ms - kTwoWeeksMs) {
      return InvalidParameterValue(
          fmt::format("The parameter {}.Timestamp must specify a time no more than two weeks in the past.", path));
    }
    if (d.timestamp_ms > context.now_ms + kTwoHoursMs) {
      return InvalidParameterValue(
          fmt::format("The parameter {}.Timestamp must specify a time no more than two hours in the future.", path));
    }
  }

  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> unit, ReadString(item, "Unit", fmt::format("{}.Unit", path)));
  d.unit = unit.value_or("None");
  if (std::find(kUnits.begin(), kUnits.end(), d.unit) == kUnits.end()) {
    return InvalidParameterValue(fmt::format("The value {} for parameter {}.Unit is invalid.", d.unit, path));
  }
  if (const Value* r = item.Find("StorageResolution")) {
    std::optional<double> resolution = r->AsNumber();
    if (!resolution || (*resolution != 1 && *resolution != 60)) {
      std::string shown = resolution ? fmt::format("{}", *resolution) : std::string(r->AsString().value_or(""));
      return InvalidParameterValue(
          fmt::format("The value {} for parameter {}.StorageResolution is invalid.", shown, path));
    }
  }

  const Value* value = item.Find("Value");
  const Value* set = item.Find("StatisticValues");
  const Value* values = item.Find("Values");
  if (value != nullptr && set != nullptr) return CombinationError(path, "Value", "StatisticValues");
  if (value != nullptr && values != nullptr) return CombinationError(path, "Value", "Values");
  if (set != nullptr && values != nullptr) return CombinationError(path, "StatisticValues", "Values");
  if (value != nullptr) {
    SLUICE_ASSIGN_OR_RETURN(double v, ReadValue(*value, fmt::format("{}.Value", path)));
    d.aggregate = {1, v, v, v};
    d.latest = v;
  } else if (set != nullptr) {
    SLUICE_ASSIGN_OR_RETURN(d.aggregate, ReadStatisticSet(*set, fmt::format("{}.StatisticValues", path)));
    d.latest = d.aggregate.sum / d.aggregate.count;
  } else if (values != nullptr) {
    const std::string values_path = fmt::format("{}.Values", path);
    const std::string counts_path = fmt::format("{}.Counts", path);
    SLUICE_ASSIGN_OR_RETURN(std::vector<double> vs, ReadValueList(item, "Values", values_path));
    SLUICE_ASSIGN_OR_RETURN(std::vector<double> counts, ReadValueList(item, "Counts", counts_path));
    if (vs.size() > kMaxValuesPerDatum) {
      return InvalidParameterValue(
          fmt::format("The collection {} must not have a size greater than {}.", values_path, kMaxValuesPerDatum));
    }
    if (item.Find("Counts") != nullptr && counts.size() != vs.size()) {
      return InvalidParameterValue(
          fmt::format("The parameters {} and {} must be of the same size.", values_path, counts_path));
    }
    for (size_t i = 0; i < vs.size(); ++i) {
      const double c = counts.empty() ? 1 : counts[i];
      if (c < 0) {
        return InvalidParameterValue(
            fmt::format("The value {} for parameter {}.member.{} is invalid.", c, counts_path, i + 1));
      }
      if (c == 0) continue;
      d.aggregate.Merge({c, vs[i] * c, vs[i], vs[i]});
    }
    if (d.aggregate.count == 0) {
      return InvalidParameterValue(
          fmt::format("The parameter {} must contain at least one counted value.", values_path));
    }
    d.latest = d.aggregate.sum / d.aggregate.count;
  } else {
    return MissingParameter(
        fmt::format("At least one of the parameters {}.Value, {}.StatisticValues or {}.Values must be specified.", path,
                    path, path));
  }
  return d;
}

}  // namespace

Result<Value> PutMetricData(const Value& input, const OperationContext& context) {
  SLUICE_ASSIGN_OR_RETURN(std::string ns, RequireString(input, "Namespace", "Namespace"));
  SLUICE_RETURN_IF_ERROR(CheckNamespace(ns, /*putting=*/true));
  const Value* data = input.Find("MetricData");
  // The query protocol writes an empty list as "MetricData=" (empty text).
  if (data == nullptr || data->is_null() || (data->kind() == Value::Kind::kList && data->items().empty()) ||
      data->AsString() == std::string_view()) {
    return MissingParameter("The parameter MetricData is required.");
  }
  if (data->kind() != Value::Kind::kList) return Status::Serialization("Expected a list for MetricData");
  if (data->items().size() > kMaxMetricDataPerCall) {
    return InvalidParameterValue(
        fmt::format("The collection MetricData must not have a size greater than {}.", kMaxMetricDataPerCall));
  }
  std::vector<Datum> datums;
  datums.reserve(data->items().size());
  for (size_t i = 0; i < data->items().size(); ++i) {
    SLUICE_ASSIGN_OR_RETURN(Datum d, ReadDatum(data->items()[i], fmt::format("MetricData.member.{}", i + 1), context));
    d.id.account = context.account;
    d.id.region = context.region;
    d.id.namespace_ = ns;
    datums.push_back(std::move(d));
  }
  for (Datum& d : datums) {
    // A full store drops new metrics (and says so in the log once): the
    // service has no error for it, and the caller's telemetry must not fail
    // its application.
    (void)context.store.Put(std::move(d.id), d.timestamp_ms, d.aggregate, d.latest, d.unit);
  }
  return Value();
}

}  // namespace sluice::cloudwatch
