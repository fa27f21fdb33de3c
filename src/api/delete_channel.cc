// DeleteChannel: ChannelARN. No output. The channel spends the stream
// deletion delay in DELETING, then is gone; delivered objects stay.
#include "api/channel_shapes.h"

namespace sluice::api {

void HandleDeleteChannel(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  Result<channels::ChannelName> name = DecodeChannelArnOnly(body);
  if (!name.ok()) return reply(name.status());
  Result<channels::ChannelRegistry*> registry = Channels(ctx);
  if (!registry.ok()) return reply(registry.status());
  Status st = (*registry)->Delete(name->account, name->region, name->name);
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
