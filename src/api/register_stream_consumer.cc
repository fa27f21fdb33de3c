// RegisterStreamConsumer: StreamARN, ConsumerName, Tags (optional TagMap,
// stored on the consumer). Output: {"Consumer":{ConsumerName, ConsumerARN,
// ConsumerStatus, ConsumerCreationTimestamp}}: CREATING, or ACTIVE when the
// server registers consumers at once. StreamId is ignored, as everywhere.
#include "api/consumers.h"
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"
#include "api/tagging.h"

namespace sluice::api {

void HandleRegisterStreamConsumer(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> arn, name;
  std::optional<TagEntries> tags;
  Status st = body.GetString("StreamARN", &arn);
  if (st.ok()) st = body.GetString("ConsumerName", &name);
  if (st.ok()) st = DecodeTagMap(body, "Tags", &tags);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckStreamArn(errors, arn, /*required=*/true);
  CheckConsumerName(errors, name, /*required=*/true);
  if (tags) CheckTagMap(errors, "tags", tags);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, std::nullopt, arn);
  if (!ref.ok()) return reply(ref.status());
  std::vector<std::pair<std::string, std::string>> pairs;
  if (tags) {
    // As with the stream's tags, the stream must exist before the tags'
    // characters are looked at.
    st = ctx.engine.control().ListTags(*ref).status();
    if (!st.ok()) return reply(st);
    std::vector<std::string_view> texts;
    for (const auto& [key, value] : *tags) {
      texts.push_back(key);
      pairs.emplace_back(std::string(key), std::string(value.value_or("")));
    }
    for (const auto& [key, value] : *tags) texts.push_back(value.value_or(""));
    st = CheckTagCharacters(texts, *ref, /*adding=*/true);
    if (!st.ok()) return reply(st);
  }

  Result<engine::ConsumerDescription> consumer =
      ctx.engine.consumers().RegisterStreamConsumer(*ref, std::string(*name), pairs);
  if (!consumer.ok()) return reply(consumer.status());
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("Consumer");
  WriteConsumer(w, *consumer);
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
