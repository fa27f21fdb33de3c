// SplitShard: StreamName/StreamARN, ShardToSplit, NewStartingHashKey. No
// output. The shard and key rules are the engine's (engine/resharding.h).
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/stream_addressing.h"
#include "util/hash_key.h"

namespace sluice::api {

void HandleSplitShard(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> name, shard, key, arn;
  Status st = body.GetString("StreamName", &name);
  if (st.ok()) st = body.GetString("ShardToSplit", &shard);
  if (st.ok()) st = body.GetString("NewStartingHashKey", &key);
  if (st.ok()) st = body.GetString("StreamARN", &arn);
  if (!st.ok()) return reply(st);

  // The service's order (as kinesalite records it): the key, the name, the shard.
  protocol::ValidationErrors errors;
  errors.CheckRequired("newStartingHashKey", key.has_value());
  CheckHashKey(errors, "newStartingHashKey", key);
  CheckStreamName(errors, "streamName", name);
  CheckShardId(errors, "shardToSplit", shard, /*required=*/true);
  CheckStreamArn(errors, arn);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, name, arn);
  if (!ref.ok()) return reply(ref.status());
  // A 39-digit key of 2^128 or more lies above every shard's range: the
  // engine reports it as outside the shard.
  const Result<HashKey> parsed = ParseHashKey(*key);
  st = ctx.engine.control().SplitShard(*ref, *shard, parsed.ok() ? *parsed : kMaxHashKey);
  if (!st.ok() && !parsed.ok() && st.code() == ErrorCode::kInvalidArgument) {
    // The message quotes the key: the client's digits, not the stand-in.
    std::string message = st.message();
    const std::string stand_in = "NewStartingHashKey " + HashKeyToString(kMaxHashKey) + " ";
    if (message.rfind(stand_in, 0) == 0) {
      message.replace(0, stand_in.size(), "NewStartingHashKey " + std::string(*key) + " ");
    }
    st = Status::InvalidArgument(std::move(message));
  }
  if (!st.ok()) return reply(st);
  reply(std::string());
}

}  // namespace sluice::api
