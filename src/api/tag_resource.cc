// TagResource: Tags (1..200), ResourceARN (a stream's, a consumer's or a channel's). No
// output. Same store and rules as AddTagsToStream (a consumer's tags are
// kept with the consumer).
#include "api/operation.h"
#include "api/tagging.h"

namespace sluice::api {

void HandleTagResource(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> arn;
  std::optional<TagEntries> tags;
  Status st = DecodeTagMap(body, "Tags", &tags);
  if (st.ok()) st = body.GetString("ResourceARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckTagMap(errors, "tags", tags);
  CheckResourceArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  if (IsConsumerArn(*arn)) {
    st = ApplyConsumerTags(ctx, *arn, *tags);
    if (!st.ok()) return reply(st);
    return reply(std::string());
  }
  if (IsChannelArn(*arn)) {
    st = ApplyChannelTags(ctx, *arn, *tags);
    if (!st.ok()) return reply(st);
    return reply(std::string());
  }
  Result<engine::StreamRef> ref = ResolveResourceArn(*arn);
  if (!ref.ok()) return reply(ref.status());
  st = ApplyTags(ctx, *ref, *tags);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
