// ListMetrics: the stored metrics of the caller's account and region,
// filtered by namespace, name and dimensions, 500 a page.
#include <fmt/format.h>

#include "cloudwatch/errors.h"
#include "cloudwatch/operations.h"

namespace sluice::cloudwatch {
namespace {

Result<std::vector<Dimension>> ReadDimensionFilters(const Value& input) {
  std::vector<Dimension> filters;
  const Value* list = input.Find("Dimensions");
  if (list == nullptr || list->AsString() == std::string_view()) return filters;
  if (list->kind() != Value::Kind::kList) return Status::Serialization("Expected a list for Dimensions");
  if (list->items().size() > kMaxDimensionFilters) {
    return InvalidParameterValue(
        fmt::format("The collection Dimensions must not have a size greater than {}.", kMaxDimensionFilters));
  }
  for (size_t i = 0; i < list->items().size(); ++i) {
    const Value& item = list->items()[i];
    const std::string at = fmt::format("Dimensions.member.{}", i + 1);
    if (item.kind() != Value::Kind::kMap) return Status::Serialization(fmt::format("Expected a structure for {}", at));
    SLUICE_ASSIGN_OR_RETURN(std::string name, RequireString(item, "Name", at + ".Name"));
    SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> value, ReadString(item, "Value", at + ".Value"));
    filters.push_back({std::move(name), value.value_or("")});
  }
  return filters;
}

Value MetricToValue(const MetricId& id) {
  Value metric = Value::Map();
  metric.Set("Namespace", Value::String(id.namespace_));
  metric.Set("MetricName", Value::String(id.name));
  Value& dimensions = metric.Set("Dimensions", Value::List());
  for (const Dimension& d : id.dimensions) {
    Value& item = dimensions.Add(Value::Map());
    item.Set("Name", Value::String(d.name));
    item.Set("Value", Value::String(d.value));
  }
  return metric;
}

}  // namespace

Result<Value> ListMetrics(const Value& input, const OperationContext& context) {
  MetricStore::ListFilter filter;
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> ns, ReadString(input, "Namespace", "Namespace"));
  if (ns) {
    SLUICE_RETURN_IF_ERROR(CheckNamespace(*ns, /*putting=*/false));
    filter.namespace_ = *ns;
  }
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> name, ReadString(input, "MetricName", "MetricName"));
  filter.name = name.value_or("");
  SLUICE_ASSIGN_OR_RETURN(filter.dimensions, ReadDimensionFilters(input));
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> recent, ReadString(input, "RecentlyActive", "RecentlyActive"));
  if (recent && *recent != "PT3H") {
    return InvalidParameterValue(fmt::format("The value {} for parameter RecentlyActive is invalid.", *recent));
  }
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> token, ReadString(input, "NextToken", "NextToken"));
  std::optional<MetricStore::ListPage> page =
      context.store.List(context.account, context.region, filter, token.value_or(""), kListMetricsPageSize);
  if (!page) return InvalidParameterValue(fmt::format("The value {} for parameter NextToken is invalid.", *token));
  Value output = Value::Map();
  Value& metrics = output.Set("Metrics", Value::List());
  for (const MetricId& id : page->metrics) metrics.Add(MetricToValue(id));
  if (!page->next_token.empty()) output.Set("NextToken", Value::String(page->next_token));
  return output;
}

}  // namespace sluice::cloudwatch
