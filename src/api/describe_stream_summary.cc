// DescribeStreamSummary: StreamName/StreamARN.
// Output: {"StreamDescriptionSummary":{...}} without shards.
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/shapes.h"
#include "api/stream_addressing.h"

namespace sluice::api {

void HandleDescribeStreamSummary(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> name, arn;
  Status st = body.GetString("StreamName", &name);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  // No shards: the summary's counts are kept, so it costs O(1) in them.
  Result<engine::StreamDescription> desc = ctx.engine.control().DescribeStream(*ref, engine::kNoShards);
  if (!desc.ok()) return reply(desc.status());

  std::string out;
  out.reserve(512);
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("StreamDescriptionSummary");
  w.BeginObject();
  WriteStreamDescriptionFields(w, *desc);
  w.MemberInt("OpenShardCount", desc->open_shard_count);
  w.MemberInt("ConsumerCount", desc->consumer_count);
  if (desc->warm_throughput) {
    w.Key("WarmThroughput");
    w.BeginObject();
    w.MemberInt("TargetMiBps", desc->warm_throughput->target_mibps);
    w.MemberInt("CurrentMiBps", desc->warm_throughput->current_mibps);
    w.EndObject();
  }
  w.MemberInt("MaxRecordSizeInKiB", desc->max_record_size_kib);
  if (desc->record_distribution) {
    w.Member("RecordDistributionStrategy", engine::RecordDistributionName(*desc->record_distribution));
  }
  w.EndObject();
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
