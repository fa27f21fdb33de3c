#include "cloudwatch/operations.h"

#include <fmt/format.h>

#include "cloudwatch/errors.h"

namespace sluice::cloudwatch {
namespace {

struct Entry {
  std::string_view name;
  Operation run;
};

constexpr Entry kOperations[] = {
    {"GetMetricStatistics", GetMetricStatistics},
    {"ListMetrics", ListMetrics},
    {"PutMetricData", PutMetricData},
};

bool IsPrintableAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

}  // namespace

Operation FindOperation(std::string_view name) {
  for (const Entry& e : kOperations) {
    if (e.name == name) return e.run;
  }
  return nullptr;
}

std::vector<std::string> OperationNames() {
  std::vector<std::string> names;
  for (const Entry& e : kOperations) names.emplace_back(e.name);
  return names;
}

Result<std::optional<std::string>> ReadString(const Value& map, std::string_view key, std::string_view path) {
  const Value* v = map.Find(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>();
  std::optional<std::string_view> s = v->AsString();
  if (!s) return Status::Serialization(fmt::format("Expected a string for {}", path));
  return std::optional<std::string>(std::string(*s));
}

Result<std::string> RequireString(const Value& map, std::string_view key, std::string_view path) {
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> s, ReadString(map, key, path));
  if (!s || s->empty()) return MissingParameter(fmt::format("The parameter {} is required.", path));
  return std::move(*s);
}

Result<std::vector<Dimension>> ReadDimensions(const Value& map, std::string_view path) {
  std::vector<Dimension> dimensions;
  const Value* list = map.Find("Dimensions");
  // The query protocol writes an empty list as empty text.
  if (list == nullptr || list->is_null() || list->AsString() == std::string_view()) return dimensions;
  if (list->kind() != Value::Kind::kList) return Status::Serialization(fmt::format("Expected a list for {}", path));
  if (list->items().size() > kMaxDimensions) {
    return InvalidParameterValue(
        fmt::format("The collection {} must not have a size greater than {}.", path, kMaxDimensions));
  }
  for (size_t i = 0; i < list->items().size(); ++i) {
    const Value& item = list->items()[i];
    const std::string at = fmt::format("{}.member.{}", path, i + 1);
    if (item.kind() != Value::Kind::kMap) return Status::Serialization(fmt::format("Expected a structure for {}", at));
    SLUICE_ASSIGN_OR_RETURN(std::string name, RequireString(item, "Name", at + ".Name"));
    SLUICE_ASSIGN_OR_RETURN(std::string value, RequireString(item, "Value", at + ".Value"));
    if (name.size() > 255 || !IsPrintableAscii(name) || IsBlank(name) || name.front() == ':') {
      return InvalidParameterValue(fmt::format("The value {} for parameter {}.Name is invalid.", name, at));
    }
    if (value.size() > 1024 || !IsPrintableAscii(value) || IsBlank(value)) {
      return InvalidParameterValue(fmt::format("The value {} for parameter {}.Value is invalid.", value, at));
    }
    for (const Dimension& d : dimensions) {
      if (d.name == name) {
        return InvalidParameterValue(
            fmt::format("The dimension {} appears more than once in the parameter {}.", name, path));
      }
    }
    dimensions.push_back({std::move(name), std::move(value)});
  }
  return dimensions;
}

Status CheckNamespace(std::string_view ns, bool putting) {
  if (ns.size() > 255) {
    return InvalidParameterValue("The parameter Namespace must not be longer than 255 characters.");
  }
  if (!IsPrintableAscii(ns) || ns.front() == ':' || (putting && ns.starts_with("AWS/"))) {
    return InvalidParameterValue(fmt::format("The value {} for parameter Namespace is invalid.", ns));
  }
  return Status::Ok();
}

}  // namespace sluice::cloudwatch
