// CreateChannel: ChannelName, ServiceExecutionRoleARN,
// StreamConfigurationList, one of S3DestinationConfiguration /
// S3TablesDestinationConfiguration, EncryptionConfiguration, Tags,
// LoggingConfiguration. Output: {"ChannelDescription":{..}} in CREATING.
// The source streams must exist and be ON_DEMAND.
#include "api/channel_shapes.h"

namespace sluice::api {

void HandleCreateChannel(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  Result<channels::Channel> channel = DecodeCreateChannel(ctx, body);
  if (!channel.ok()) return reply(channel.status());
  Result<channels::ChannelRegistry*> registry = Channels(ctx);
  if (!registry.ok()) return reply(registry.status());
  Status st = CheckSourceStreams(ctx, *channel);
  if (!st.ok()) return reply(st);
  Result<channels::Channel> created = (*registry)->Create(std::move(channel).value());
  if (!created.ok()) return reply(created.status());

  reply(ChannelDescriptionOutput(*created));
}

}  // namespace sluice::api
