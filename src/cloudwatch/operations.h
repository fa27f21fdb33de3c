// CloudWatch's operations, one file each, written once over Documents
// (document.h) whatever protocol the call came in: input map in, output map
// (or null: no output) out, errors as the Status codes of errors.h, with the
// service's messages. Members are named in messages the way the query
// protocol spells them ("MetricData.member.2.Value"), as the service does in
// every protocol.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cloudwatch/document.h"
#include "cloudwatch/metric_store.h"
#include "util/status.h"

namespace sluice::cloudwatch {

struct OperationContext {
  std::string account;
  std::string region;
  MetricStore& store;
  int64_t now_ms = 0;
};

using Operation = Result<Value> (*)(const Value& input, const OperationContext& context);

// The limits of the API as the service documents them.
inline constexpr size_t kMaxMetricDataPerCall = 1000;
inline constexpr size_t kMaxDimensions = 30;
inline constexpr size_t kMaxValuesPerDatum = 150;
inline constexpr size_t kMaxDimensionFilters = 10;
inline constexpr size_t kListMetricsPageSize = 500;
inline constexpr int64_t kMaxDatapointsPerCall = 1440;

Result<Value> PutMetricData(const Value& input, const OperationContext& context);
Result<Value> ListMetrics(const Value& input, const OperationContext& context);
Result<Value> GetMetricStatistics(const Value& input, const OperationContext& context);

// The operation called `name`, or null.
Operation FindOperation(std::string_view name);
// The names of the operations served.
std::vector<std::string> OperationNames();

// Shared readers of input members. `path` names the member in messages.
// A member of the wrong kind is kSerialization; a missing required one is
// MissingParameter ("The parameter <path> is required.").
Result<std::optional<std::string>> ReadString(const Value& map, std::string_view key, std::string_view path);
Result<std::string> RequireString(const Value& map, std::string_view key, std::string_view path);
// A Dimensions list (Name and Value required; at most kMaxDimensions).
Result<std::vector<Dimension>> ReadDimensions(const Value& map, std::string_view path);
// The Namespace rules: 1 to 255 printable ASCII characters, not starting
// with ':' (and, when putting, not "AWS/").
Status CheckNamespace(std::string_view ns, bool putting);

}  // namespace sluice::cloudwatch
