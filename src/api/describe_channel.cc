// DescribeChannel: ChannelARN. Output: {"ChannelDescription":{..}}.
#include "api/channel_shapes.h"

namespace sluice::api {

void HandleDescribeChannel(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  Result<channels::ChannelName> name = DecodeChannelArnOnly(body);
  if (!name.ok()) return reply(name.status());
  Result<channels::ChannelRegistry*> registry = Channels(ctx);
  if (!registry.ok()) return reply(registry.status());
  Result<channels::Channel> channel = (*registry)->Describe(name->account, name->region, name->name);
  if (!channel.ok()) return reply(channel.status());

  reply(ChannelDescriptionOutput(*channel));
}

}  // namespace sluice::api
