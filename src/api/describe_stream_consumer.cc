// DescribeStreamConsumer: ConsumerARN, or StreamARN and ConsumerName (all
// three when they agree). Output: {"ConsumerDescription":{ConsumerName,
// ConsumerARN, ConsumerStatus, ConsumerCreationTimestamp, StreamARN}}.
#include "api/consumers.h"
#include "api/model_rules.h"
#include "api/operation.h"

namespace sluice::api {

void HandleDescribeStreamConsumer(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> stream_arn, name, consumer_arn;
  Status st = body.GetString("StreamARN", &stream_arn);
  if (st.ok()) st = body.GetString("ConsumerName", &name);
  if (st.ok()) st = body.GetString("ConsumerARN", &consumer_arn);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckStreamArn(errors, stream_arn);
  CheckConsumerName(errors, name);
  CheckConsumerArn(errors, consumer_arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::ConsumerLookup> lookup = ResolveConsumer(ctx.options, stream_arn, name, consumer_arn);
  if (!lookup.ok()) return reply(lookup.status());
  Result<engine::ConsumerDescription> consumer = ctx.engine.DescribeStreamConsumer(*lookup);
  if (!consumer.ok()) return reply(consumer.status());
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("ConsumerDescription");
  WriteConsumerDescription(w, *consumer);
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
