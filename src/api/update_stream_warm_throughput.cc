// UpdateStreamWarmThroughput: StreamARN/StreamName, WarmThroughputMiBps
// (>= 0). Output: StreamARN, StreamName, WarmThroughput{TargetMiBps,
// CurrentMiBps}. On-demand streams of accounts with the minimum throughput
// commitment only (the engine's InvalidArgumentException otherwise).
#include <algorithm>
#include <climits>

#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"
#include "engine/engine.h"
#include "protocol/json_writer.h"

namespace sluice::api {

void HandleUpdateStreamWarmThroughput(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> arn, name;
  std::optional<int64_t> mibps;
  Status st = body.GetString("StreamARN", &arn);
  if (st.ok()) st = body.GetString("StreamName", &name);
  if (st.ok()) st = body.GetInteger("WarmThroughputMiBps", &mibps);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckStreamArn(errors, arn);
  CheckStreamName(errors, "streamName", name);
  errors.CheckNumber("warmThroughputMiBps", mibps, /*required=*/true, 0, INT64_MAX);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  Result<engine::WarmThroughput> warm =
      ctx.engine.control().UpdateWarmThroughput(*ref, static_cast<int>(std::min<int64_t>(*mibps, INT_MAX)));
  if (!warm.ok()) return reply(warm.status());

  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Member("StreamARN", engine::StreamArn(*ref));
  w.Member("StreamName", ref->name);
  w.Key("WarmThroughput");
  w.BeginObject();
  w.MemberInt("TargetMiBps", warm->target_mibps);
  w.MemberInt("CurrentMiBps", warm->current_mibps);
  w.EndObject();
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
