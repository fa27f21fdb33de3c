// UntagResource: TagKeys (1..50), ResourceARN (a stream's, a consumer's or a channel's).
// No output. Same store and rules as RemoveTagsFromStream.
#include "api/operation.h"
#include "api/tagging.h"

namespace sluice::api {

void HandleUntagResource(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> arn;
  std::optional<StringList> keys;
  Status st = DecodeStringList(body, "TagKeys", &keys);
  if (st.ok()) st = body.GetString("ResourceARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckTagKeyList(errors, "tagKeys", keys);
  CheckResourceArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  if (IsConsumerArn(*arn)) {
    st = RemoveConsumerTags(ctx, *arn, *keys);
    if (!st.ok()) return reply(st);
    return reply(std::string());
  }
  if (IsChannelArn(*arn)) {
    st = RemoveChannelTags(ctx, *arn, *keys);
    if (!st.ok()) return reply(st);
    return reply(std::string());
  }
  Result<engine::StreamRef> ref = ResolveResourceArn(*arn);
  if (!ref.ok()) return reply(ref.status());
  st = RemoveTags(ctx, *ref, *keys);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
