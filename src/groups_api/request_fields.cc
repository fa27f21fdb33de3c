#include "api/model_rules.h"
#include "api/stream_addressing.h"
#include "groups_api/operations.h"

namespace sluice::groups_api {

Status ReadStreamFields(const protocol::JsonObject& body, StreamFields* out) {
  SLUICE_RETURN_IF_ERROR(body.GetString("StreamName", &out->stream_name));
  return body.GetString("StreamARN", &out->stream_arn);
}

void CheckStreamFields(protocol::ValidationErrors& errors, const StreamFields& fields) {
  api::CheckStreamName(errors, "streamName", fields.stream_name);
  api::CheckStreamArn(errors, fields.stream_arn);
}

void CheckGroupName(protocol::ValidationErrors& errors, std::optional<std::string_view> value) {
  errors.CheckString("groupName", value, /*required=*/true, api::kNamePattern, &api::MatchesNamePattern, 1, 128);
}

void CheckMemberId(protocol::ValidationErrors& errors, std::optional<std::string_view> value, bool required) {
  errors.CheckString("memberId", value, required, api::kNamePattern, &api::MatchesNamePattern, 1, 128);
}

Result<groups::GroupKey> ResolveGroup(const CallContext& ctx, const StreamFields& fields, std::string_view group) {
  SLUICE_ASSIGN_OR_RETURN(engine::StreamRef stream,
                          api::ResolveStream(ctx.options, fields.stream_name, fields.stream_arn));
  return groups::GroupKey{std::move(stream.account), std::move(stream.region), std::move(stream.name),
                          std::string(group)};
}

Result<MemberCall> DecodeMemberCall(const CallContext& ctx, const protocol::JsonObject& body, bool member) {
  StreamFields stream;
  std::optional<std::string_view> group;
  std::optional<std::string_view> member_id;
  SLUICE_RETURN_IF_ERROR(ReadStreamFields(body, &stream));
  SLUICE_RETURN_IF_ERROR(body.GetString("GroupName", &group));
  if (member) SLUICE_RETURN_IF_ERROR(body.GetString("MemberId", &member_id));
  protocol::ValidationErrors errors;
  CheckStreamFields(errors, stream);
  CheckGroupName(errors, group);
  if (member) CheckMemberId(errors, member_id, /*required=*/true);
  SLUICE_RETURN_IF_ERROR(errors.ToStatus());
  SLUICE_ASSIGN_OR_RETURN(groups::GroupKey key, ResolveGroup(ctx, stream, *group));
  return MemberCall{std::move(key), member ? std::string(*member_id) : std::string()};
}

void WriteAssignment(protocol::JsonWriter& w, const std::vector<groups::AssignedShard>& assignment) {
  w.Key("Assignment");
  w.BeginArray();
  for (const groups::AssignedShard& a : assignment) {
    w.BeginObject();
    w.Key("ShardId");
    w.String(a.shard_id);
    w.Key("StartingPosition");
    w.BeginObject();
    w.Key("Type");
    if (a.after_sequence_number) {
      w.String("AFTER_SEQUENCE_NUMBER");
      w.Key("SequenceNumber");
      w.String(*a.after_sequence_number);
    } else {
      w.String(groups::InitialPositionName(a.initial));
    }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace sluice::groups_api
