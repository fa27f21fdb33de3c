// ListTagsForResource: ResourceARN (a stream's, a consumer's or a channel's). Output:
// {"Tags":[{Key,Value}...]}, every tag of the resource in key order.
#include <algorithm>

#include "api/operation.h"
#include "api/tagging.h"
#include "protocol/json_writer.h"

namespace sluice::api {

void HandleListTagsForResource(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> arn;
  Status st = body.GetString("ResourceARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckResourceArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<std::vector<std::pair<std::string, std::string>>> tags = std::vector<std::pair<std::string, std::string>>{};
  if (IsConsumerArn(*arn)) {
    tags = ctx.engine.consumers().ListConsumerTags(*arn);
  } else if (IsChannelArn(*arn)) {
    tags = ListChannelTags(ctx, *arn);
  } else {
    Result<engine::StreamRef> ref = ResolveResourceArn(*arn);
    if (!ref.ok()) return reply(ref.status());
    tags = ctx.engine.control().ListTags(*ref);
  }
  if (!tags.ok()) return reply(tags.status());
  std::sort(tags->begin(), tags->end());

  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("Tags");
  w.BeginArray();
  for (const auto& [key, value] : *tags) {
    w.BeginObject();
    w.Member("Key", key);
    w.Member("Value", value);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
