// ListTagsForStream: StreamName/StreamARN, ExclusiveStartTagKey, Limit
// (1..50, default 50). Output: {"Tags":[{Key,Value}...],"HasMoreTags":bool},
// tags in key order, those after ExclusiveStartTagKey.
#include <algorithm>

#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"
#include "protocol/json_writer.h"

namespace sluice::api {

void HandleListTagsForStream(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> name, start_key, arn;
  std::optional<int64_t> limit;
  Status st = body.GetString("StreamName", &name);
  if (st.ok()) st = body.GetString("ExclusiveStartTagKey", &start_key);
  if (st.ok()) st = body.GetInteger("Limit", &limit);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  errors.CheckNumber("limit", limit, false, 1, 50);
  errors.CheckString("exclusiveStartTagKey", start_key, false, "", nullptr, 1, 128);
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  auto tags = ctx.engine.control().ListTags(*ref);
  if (!tags.ok()) return reply(tags.status());
  std::sort(tags->begin(), tags->end());

  size_t first = 0;
  if (start_key) {
    while (first < tags->size() && (*tags)[first].first <= *start_key) ++first;
  }
  size_t max = static_cast<size_t>(limit.value_or(50));
  size_t end = std::min(tags->size(), first + max);

  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("Tags");
  w.BeginArray();
  for (size_t i = first; i < end; ++i) {
    w.BeginObject();
    w.Member("Key", (*tags)[i].first);
    w.Member("Value", (*tags)[i].second);
    w.EndObject();
  }
  w.EndArray();
  w.MemberBool("HasMoreTags", end < tags->size());
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
