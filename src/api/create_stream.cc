// CreateStream: StreamName, ShardCount, StreamModeDetails, Tags,
// WarmThroughputMiBps, MaxRecordSizeInKiB. No output.
#include <algorithm>
#include <array>
#include <climits>

#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"

namespace sluice::api {
namespace {

constexpr std::array<std::string_view, 2> kStreamModes = {"PROVISIONED", "ON_DEMAND"};

struct CreateStreamRequest {
  std::optional<int64_t> shard_count;
  std::optional<std::string_view> stream_name;
  std::optional<protocol::JsonObject> mode_details;
  std::optional<std::string_view> stream_mode;
  std::optional<protocol::JsonObject> tags;
  std::vector<std::pair<std::string_view, std::optional<std::string_view>>> tag_entries;
  std::optional<int64_t> warm_throughput;
  std::optional<int64_t> max_record_size_kib;
};

Status Decode(const protocol::JsonObject& body, CreateStreamRequest* r) {
  SLUICE_RETURN_IF_ERROR(body.GetInteger("ShardCount", &r->shard_count));
  SLUICE_RETURN_IF_ERROR(body.GetString("StreamName", &r->stream_name));
  SLUICE_RETURN_IF_ERROR(body.GetStructure("StreamModeDetails", &r->mode_details));
  if (r->mode_details) SLUICE_RETURN_IF_ERROR(r->mode_details->GetString("StreamMode", &r->stream_mode));
  SLUICE_RETURN_IF_ERROR(body.GetMap("Tags", &r->tags));
  if (r->tags) {
    for (auto field : r->tags->raw()) {
      std::optional<std::string_view> value;
      SLUICE_RETURN_IF_ERROR(protocol::CheckString(field.value, &value));
      r->tag_entries.emplace_back(field.key, value);
    }
  }
  SLUICE_RETURN_IF_ERROR(body.GetInteger("WarmThroughputMiBps", &r->warm_throughput));
  SLUICE_RETURN_IF_ERROR(body.GetInteger("MaxRecordSizeInKiB", &r->max_record_size_kib));
  return Status::Ok();
}

Status Validate(const CreateStreamRequest& r) {
  protocol::ValidationErrors errors;
  errors.CheckNumber("shardCount", r.shard_count, false, 1, 100000);
  CheckStreamName(errors, "streamName", r.stream_name, /*required=*/true);
  if (r.mode_details) {
    errors.CheckEnum("streamModeDetails.streamMode", r.stream_mode, true, kStreamModes);
  }
  if (r.tags) {
    int64_t n = static_cast<int64_t>(r.tag_entries.size());
    if (n < 1 || n > 200) {
      std::string rendered = "{";
      for (size_t i = 0; i < r.tag_entries.size(); ++i) {
        if (i) rendered.append(", ");
        rendered.append(r.tag_entries[i].first).append("=").append(r.tag_entries[i].second.value_or("null"));
      }
      rendered.append("}");
      errors.Add(rendered, "tags",
                 n < 1 ? "Member must have length greater than or equal to 1"
                       : "Member must have length less than or equal to 200");
    }
    for (const auto& [key, value] : r.tag_entries) {
      size_t klen = protocol::Utf16Length(key);
      if (klen < 1 || klen > 128) {
        errors.Add(key, "tags",
                   "Map keys must satisfy constraint: [Member must have length less than or equal to 128, "
                   "Member must have length greater than or equal to 1]");
      }
      std::string path = "tags." + std::string(key);
      errors.CheckString(path, value, /*required=*/true, "", nullptr, 0, 256);
    }
  }
  errors.CheckNumber("warmThroughputMiBps", r.warm_throughput, false, 0, INT64_MAX);
  errors.CheckNumber("maxRecordSizeInKiB", r.max_record_size_kib, false, 1024, 10240);
  return errors.ToStatus();
}

}  // namespace

void HandleCreateStream(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  CreateStreamRequest r;
  Status st = Decode(body, &r);
  if (st.ok()) st = Validate(r);
  if (!st.ok()) return reply(st);

  engine::CreateStreamParams params;
  params.mode = r.stream_mode == "ON_DEMAND" ? engine::StreamMode::kOnDemand : engine::StreamMode::kProvisioned;
  if (r.shard_count) params.shard_count = static_cast<int>(*r.shard_count);
  // A PROVISIONED stream without ShardCount is refused by the engine.
  for (const auto& [key, value] : r.tag_entries) {
    params.tags.emplace_back(std::string(key), std::string(value.value_or("")));
  }
  if (r.max_record_size_kib) params.max_record_size_kib = static_cast<int>(*r.max_record_size_kib);
  if (r.warm_throughput) params.warm_throughput_mibps = static_cast<int>(std::min<int64_t>(*r.warm_throughput, INT_MAX));

  engine::StreamRef ref = DefaultNamespace(ctx.options);
  ref.name = std::string(*r.stream_name);
  st = ctx.engine.CreateStream(ref, params);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
