// DescribeStreamConsumer: ConsumerARN, or StreamARN and ConsumerName (all
// three when they agree). Output: {"ConsumerDescription":{ConsumerName,
// ConsumerARN, ConsumerStatus, ConsumerCreationTimestamp, StreamARN}}.
#include "api/consumers.h"
#include "api/model_rules.h"
#include "api/operation.h"

namespace sluice::api {

void HandleDescribeStreamConsumer(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  Result<engine::ConsumerLookup> lookup = DecodeConsumerLookup(ctx.options, body);
  if (!lookup.ok()) return reply(lookup.status());
  Result<engine::ConsumerDescription> consumer = ctx.engine.consumers().DescribeStreamConsumer(*lookup);
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
