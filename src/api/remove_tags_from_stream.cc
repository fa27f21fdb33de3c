// RemoveTagsFromStream: StreamName/StreamARN, TagKeys (1..50). No output.
// Keys the stream does not have are ignored. UntagResource
// (untag_resource.cc) shares RemoveTags.
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"
#include "api/tagging.h"

namespace sluice::api {

Status RemoveTags(const OperationContext& ctx, const engine::StreamRef& ref, const StringList& keys) {
  // The stream must exist before the keys' characters are looked at.
  SLUICE_RETURN_IF_ERROR(ctx.engine.control().ListTags(ref).status());
  std::vector<std::string_view> texts;
  std::vector<std::string> owned;
  for (const auto& key : keys) {
    texts.push_back(key.value_or(""));
    owned.emplace_back(key.value_or(""));
  }
  SLUICE_RETURN_IF_ERROR(CheckTagCharacters(texts, ref, /*adding=*/false));
  return ctx.engine.control().RemoveTags(ref, owned);
}

void HandleRemoveTagsFromStream(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> name, arn;
  std::optional<StringList> keys;
  Status st = body.GetString("StreamName", &name);
  if (st.ok()) st = DecodeStringList(body, "TagKeys", &keys);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckTagKeyList(errors, "tagKeys", keys);
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  st = RemoveTags(ctx, *ref, *keys);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
