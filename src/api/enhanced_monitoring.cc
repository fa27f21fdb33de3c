// EnableEnhancedMonitoring / DisableEnhancedMonitoring: StreamName/StreamARN,
// ShardLevelMetrics (1..7 of the MetricsName enum; ALL stands for the seven
// metrics). Output: {"StreamName","StreamARN","CurrentShardLevelMetrics":[..],
// "DesiredShardLevelMetrics":[..]}: the metrics before and after (the change
// is immediate); both arrays are always present.
#include <algorithm>

#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"
#include "api/tagging.h"
#include "engine/engine.h"
#include "protocol/json_writer.h"

namespace sluice::api {
namespace {

using engine::kShardLevelMetrics;

// A member of the MetricsName enum: a shard-level metric or ALL.
bool IsMetricName(std::string_view name) {
  return name == "ALL" ||
         std::find(kShardLevelMetrics.begin(), kShardLevelMetrics.end(), name) != kShardLevelMetrics.end();
}

std::string RenderList(const StringList& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out.append(", ");
    out.append(items[i].value_or("null"));
  }
  out.append("]");
  return out;
}

void CheckMetrics(protocol::ValidationErrors& errors, const std::optional<StringList>& metrics) {
  constexpr std::string_view kPath = "shardLevelMetrics";
  if (!metrics) {
    errors.CheckRequired(kPath, false);
    return;
  }
  const std::string rendered = RenderList(*metrics);
  if (metrics->size() < 1) errors.Add(rendered, kPath, "Member must have length greater than or equal to 1");
  if (metrics->size() > 7) errors.Add(rendered, kPath, "Member must have length less than or equal to 7");
  bool members_ok = true;
  for (const auto& m : *metrics) {
    members_ok = members_ok && m && IsMetricName(*m);
  }
  if (!members_ok) {
    std::string constraint = "Member must satisfy constraint: [Member must satisfy enum value set: [";
    for (std::string_view name : kShardLevelMetrics) {
      constraint.append(name);
      constraint.append(", ");
    }
    constraint.append("ALL]]");
    errors.Add(rendered, kPath, constraint);
  }
}

void WriteNames(protocol::JsonWriter& w, const std::vector<std::string>& names) {
  w.BeginArray();
  for (const auto& n : names) w.String(n);
  w.EndArray();
}

void HandleMonitoring(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply, bool enable) {
  std::optional<std::string_view> name, arn;
  std::optional<StringList> metrics;
  Status st = body.GetString("StreamName", &name);
  if (st.ok()) st = DecodeStringList(body, "ShardLevelMetrics", &metrics);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckMetrics(errors, metrics);
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  std::vector<std::string> names;
  for (const auto& m : *metrics) {
    if (*m == "ALL") {
      for (std::string_view name : kShardLevelMetrics) names.emplace_back(name);
    } else {
      names.emplace_back(*m);
    }
  }
  auto result = ctx.engine.control().UpdateShardLevelMetrics(*ref, names, enable);
  if (!result.ok()) return reply(result.status());

  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Member("StreamName", ref->name);
  w.Member("StreamARN", engine::StreamArn(*ref));
  w.Key("CurrentShardLevelMetrics");
  WriteNames(w, result->first);
  w.Key("DesiredShardLevelMetrics");
  WriteNames(w, result->second);
  w.EndObject();
  reply(std::move(out));
}

}  // namespace

void HandleEnableEnhancedMonitoring(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  HandleMonitoring(ctx, body, std::move(reply), /*enable=*/true);
}

void HandleDisableEnhancedMonitoring(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  HandleMonitoring(ctx, body, std::move(reply), /*enable=*/false);
}

}  // namespace sluice::api
