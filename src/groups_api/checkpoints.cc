// CheckpointGroup, GetGroupCheckpoints.
#include "api/model_rules.h"
#include "groups_api/operations.h"

namespace sluice::groups_api {

void HandleCheckpointGroup(const CallContext& ctx, const protocol::JsonObject& body, Reply reply) {
  StreamFields stream;
  std::optional<std::string_view> group;
  std::optional<std::string_view> member_id;
  std::optional<int64_t> generation;
  std::optional<std::string_view> shard_id;
  std::optional<std::string_view> sequence_number;
  std::optional<bool> shard_end;
  Status read = ReadStreamFields(body, &stream);
  if (read.ok()) read = body.GetString("GroupName", &group);
  if (read.ok()) read = body.GetString("MemberId", &member_id);
  if (read.ok()) read = body.GetLong("Generation", &generation);
  if (read.ok()) read = body.GetString("ShardId", &shard_id);
  if (read.ok()) read = body.GetString("SequenceNumber", &sequence_number);
  if (read.ok()) read = body.GetBoolean("ShardEnd", &shard_end);
  if (!read.ok()) return reply(read);
  protocol::ValidationErrors errors;
  CheckStreamFields(errors, stream);
  CheckGroupName(errors, group);
  CheckMemberId(errors, member_id, /*required=*/true);
  errors.CheckNumber("generation", generation, /*required=*/true, 0, INT64_MAX);
  api::CheckShardId(errors, "shardId", shard_id, /*required=*/true);
  api::CheckSequenceNumber(errors, "sequenceNumber", sequence_number);
  if (!errors.empty()) return reply(errors.ToStatus());
  if (!sequence_number && !shard_end.value_or(false)) {
    return reply(Status::InvalidArgument("A checkpoint needs a SequenceNumber unless it is a ShardEnd."));
  }
  Result<groups::GroupKey> key = ResolveGroup(ctx, stream, *group);
  if (!key.ok()) return reply(key.status());
  groups::CheckpointRequest request;
  request.key = std::move(key).value();
  request.member_id = std::string(*member_id);
  request.generation = *generation;
  request.shard_id = std::string(*shard_id);
  if (sequence_number) request.sequence_number = std::string(*sequence_number);
  request.shard_end = shard_end.value_or(false);
  ctx.coordinator.Commit(request, [reply = std::move(reply)](Status s) {
    if (!s.ok()) return reply(s);
    reply(std::string("{}"));
  });
}

void HandleGetGroupCheckpoints(const CallContext& ctx, const protocol::JsonObject& body, Reply reply) {
  Result<MemberCall> call = DecodeMemberCall(ctx, body, /*member=*/false);
  if (!call.ok()) return reply(call.status());
  Result<std::vector<groups::Checkpoint>> checkpoints = ctx.coordinator.Checkpoints(call->key);
  if (!checkpoints.ok()) return reply(checkpoints.status());
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("Checkpoints");
  w.BeginArray();
  for (const groups::Checkpoint& c : *checkpoints) {
    w.BeginObject();
    w.Key("ShardId");
    w.String(c.shard_id);
    if (c.sequence_number) {
      w.Key("SequenceNumber");
      w.String(*c.sequence_number);
    }
    w.Key("ShardEnd");
    w.Bool(c.shard_end);
    w.Key("LastUpdatedTimestamp");
    w.TimestampMillis(c.updated_ms);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::groups_api
