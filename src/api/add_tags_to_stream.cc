// AddTagsToStream: StreamName/StreamARN, Tags (1..200). No output.
// Overwrites the values of keys already present; at most 50 tags per stream.
// TagResource (tag_resource.cc) shares ApplyTags.
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"
#include "api/tagging.h"

namespace sluice::api {

Status ApplyTags(const OperationContext& ctx, const engine::StreamRef& ref, const TagEntries& tags) {
  // The stream must exist before the tags' characters are looked at.
  SLUICE_RETURN_IF_ERROR(ctx.engine.control().ListTags(ref).status());
  std::vector<std::string_view> texts;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& [key, value] : tags) {
    texts.push_back(key);
    pairs.emplace_back(std::string(key), std::string(value.value_or("")));
  }
  for (const auto& [key, value] : tags) texts.push_back(value.value_or(""));
  SLUICE_RETURN_IF_ERROR(CheckTagCharacters(texts, ref, /*adding=*/true));
  return ctx.engine.control().AddTags(ref, pairs);
}

void HandleAddTagsToStream(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> name, arn;
  std::optional<TagEntries> tags;
  Status st = body.GetString("StreamName", &name);
  if (st.ok()) st = DecodeTagMap(body, "Tags", &tags);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckTagMap(errors, "tags", tags);
  CheckStreamName(errors, "streamName", name);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  st = ApplyTags(ctx, *ref, *tags);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
