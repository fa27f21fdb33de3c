// DescribeChannel: ChannelARN. Output: {"ChannelDescription":{..}}.
#include "api/channel_shapes.h"

namespace sluice::api {

void HandleDescribeChannel(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> arn;
  Status st = body.GetString("ChannelARN", &arn);
  if (!st.ok()) return reply(st);
  protocol::ValidationErrors errors;
  CheckChannelArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<channels::ChannelName> name = ResolveChannelArn(*arn);
  if (!name.ok()) return reply(name.status());
  Result<channels::ChannelRegistry*> registry = Channels(ctx);
  if (!registry.ok()) return reply(registry.status());
  Result<channels::Channel> channel = (*registry)->Describe(name->account, name->region, name->name);
  if (!channel.ok()) return reply(channel.status());

  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("ChannelDescription");
  WriteChannelDescription(w, *channel);
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
