// CreateStream: StreamName, ShardCount, StreamModeDetails, Tags,
// WarmThroughputMiBps, MaxRecordSizeInKiB, RecordDistributionStrategy (AUTO
// on-demand only). No output.
#include <algorithm>
#include <array>
#include <climits>

#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"
#include "api/tagging.h"

namespace sluice::api {
namespace {

constexpr std::array<std::string_view, 2> kStreamModes = {"PROVISIONED", "ON_DEMAND"};

struct CreateStreamRequest {
  std::optional<int64_t> shard_count;
  std::optional<std::string_view> stream_name;
  std::optional<protocol::JsonObject> mode_details;
  std::optional<std::string_view> stream_mode;
  std::optional<TagEntries> tags;
  std::optional<int64_t> warm_throughput;
  std::optional<int64_t> max_record_size_kib;
  std::optional<std::string_view> record_distribution;
};

Status Decode(const protocol::JsonObject& body, CreateStreamRequest* r) {
  SLUICE_RETURN_IF_ERROR(body.GetInteger("ShardCount", &r->shard_count));
  SLUICE_RETURN_IF_ERROR(body.GetString("StreamName", &r->stream_name));
  SLUICE_RETURN_IF_ERROR(body.GetStructure("StreamModeDetails", &r->mode_details));
  if (r->mode_details) SLUICE_RETURN_IF_ERROR(r->mode_details->GetString("StreamMode", &r->stream_mode));
  SLUICE_RETURN_IF_ERROR(DecodeTagMap(body, "Tags", &r->tags));
  SLUICE_RETURN_IF_ERROR(body.GetInteger("WarmThroughputMiBps", &r->warm_throughput));
  SLUICE_RETURN_IF_ERROR(body.GetInteger("MaxRecordSizeInKiB", &r->max_record_size_kib));
  SLUICE_RETURN_IF_ERROR(body.GetString("RecordDistributionStrategy", &r->record_distribution));
  return Status::Ok();
}

Status Validate(const CreateStreamRequest& r) {
  protocol::ValidationErrors errors;
  errors.CheckNumber("shardCount", r.shard_count, false, 1, 100000);
  CheckStreamName(errors, "streamName", r.stream_name, /*required=*/true);
  if (r.mode_details) {
    errors.CheckEnum("streamModeDetails.streamMode", r.stream_mode, true, kStreamModes);
  }
  // The same TagMap rules (and messages) as TagResource's.
  if (r.tags) CheckTagMap(errors, "tags", r.tags);
  errors.CheckNumber("warmThroughputMiBps", r.warm_throughput, false, 0, INT64_MAX);
  errors.CheckNumber("maxRecordSizeInKiB", r.max_record_size_kib, false, 1024, 10240);
  CheckRecordDistributionStrategy(errors, r.record_distribution);
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
  engine::StreamRef ref = DefaultNamespace(ctx.options);
  ref.name = std::string(*r.stream_name);
  if (r.tags) {
    std::vector<std::string_view> texts;
    for (const auto& [key, value] : *r.tags) {
      texts.push_back(key);
      texts.push_back(value.value_or(""));
      params.tags.emplace_back(std::string(key), std::string(value.value_or("")));
    }
    st = CheckTagCharacters(texts, ref, /*adding=*/true);
    if (!st.ok()) return reply(st);
  }
  if (r.max_record_size_kib) params.max_record_size_kib = static_cast<int>(*r.max_record_size_kib);
  if (r.warm_throughput)
    params.warm_throughput_mibps = static_cast<int>(std::min<int64_t>(*r.warm_throughput, INT_MAX));

  if (r.record_distribution == "AUTO") params.record_distribution = engine::RecordDistribution::kAuto;

  st = ctx.engine.control().CreateStream(ref, params);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
