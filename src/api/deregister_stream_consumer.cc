// DeregisterStreamConsumer: ConsumerARN, or StreamARN and ConsumerName (all
// three when they agree). No output. The consumer is DELETING for the
// server's deregister delay, then gone with its resource policy.
#include "api/consumers.h"
#include "api/model_rules.h"
#include "api/operation.h"

namespace sluice::api {

void HandleDeregisterStreamConsumer(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  Result<engine::ConsumerLookup> lookup = DecodeConsumerLookup(ctx.options, body);
  if (!lookup.ok()) return reply(lookup.status());
  Status st = ctx.engine.consumers().DeregisterStreamConsumer(*lookup);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
