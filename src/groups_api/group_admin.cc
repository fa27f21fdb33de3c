// DescribeGroup, ListGroups, DeleteGroup.
#include "api/model_rules.h"
#include "groups_api/operations.h"

namespace sluice::groups_api {

void HandleDescribeGroup(const CallContext& ctx, const protocol::JsonObject& body, Reply reply) {
  Result<MemberCall> call = DecodeMemberCall(ctx, body, /*member=*/false);
  if (!call.ok()) return reply(call.status());
  Result<groups::GroupDescription> d = ctx.coordinator.Describe(call->key);
  if (!d.ok()) return reply(d.status());
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("Group");
  w.BeginObject();
  w.Key("GroupName");
  w.String(d->record.key.group);
  w.Key("StreamARN");
  w.String(d->stream_arn);
  w.Key("InitialPosition");
  w.String(groups::InitialPositionName(d->record.initial_position));
  w.Key("Generation");
  w.Int(d->generation);
  w.Key("State");
  w.String(groups::GroupStateName(d->state));
  w.Key("CreationTimestamp");
  w.TimestampMillis(d->record.creation_ms);
  w.Key("Members");
  w.BeginArray();
  for (const groups::MemberDescription& m : d->members) {
    w.BeginObject();
    w.Key("MemberId");
    w.String(m.member_id);
    w.Key("Assignment");
    w.BeginArray();
    for (const std::string& shard : m.assignment) w.String(shard);
    w.EndArray();
    w.Key("SessionTimeoutMillis");
    w.Int(m.session_timeout_ms);
    w.Key("LastHeartbeatTimestamp");
    w.TimestampMillis(m.last_heartbeat_ms);
    w.Key("Pushed");
    w.Bool(m.pushed);
    w.EndObject();
  }
  w.EndArray();
  w.Key("Shards");
  w.BeginArray();
  for (const groups::ShardDescription& s : d->shards) {
    w.BeginObject();
    w.Key("ShardId");
    w.String(s.shard_id);
    if (s.owner) {
      w.Key("Owner");
      w.String(*s.owner);
    }
    if (s.sequence_number) {
      w.Key("SequenceNumber");
      w.String(*s.sequence_number);
    }
    w.Key("ShardEnd");
    w.Bool(s.shard_end);
    w.Key("RecordsBehind");
    w.Int(s.lag.records_behind);
    w.Key("MillisBehindLatest");
    w.Int(s.lag.millis_behind_latest);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  w.EndObject();
  reply(std::move(out));
}

void HandleListGroups(const CallContext& ctx, const protocol::JsonObject& body, Reply reply) {
  StreamFields stream;
  std::optional<int64_t> max_results;
  std::optional<std::string_view> next_token;
  Status read = ReadStreamFields(body, &stream);
  if (read.ok()) read = body.GetInteger("MaxResults", &max_results);
  if (read.ok()) read = body.GetString("NextToken", &next_token);
  if (!read.ok()) return reply(read);
  protocol::ValidationErrors errors;
  CheckStreamFields(errors, stream);
  errors.CheckNumber("maxResults", max_results, false, 1, 1000);
  errors.CheckString("nextToken", next_token, false, "", nullptr, 1, 1048576);
  if (!errors.empty()) return reply(errors.ToStatus());
  // The token is the name of the page's last group.
  if (next_token && !api::MatchesNamePattern(*next_token)) {
    return reply(Status::InvalidArgument("Invalid NextToken " + std::string(*next_token) + "."));
  }
  Result<groups::GroupKey> key = ResolveGroup(ctx, stream, "");
  if (!key.ok()) return reply(key.status());
  Result<groups::GroupPage> page = ctx.coordinator.List(key->stream_ref(), std::string(next_token.value_or("")),
                                                        static_cast<size_t>(max_results.value_or(100)));
  if (!page.ok()) return reply(page.status());
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("Groups");
  w.BeginArray();
  for (const groups::GroupSummary& g : page->groups) {
    w.BeginObject();
    w.Key("GroupName");
    w.String(g.name);
    w.Key("Generation");
    w.Int(g.generation);
    w.Key("State");
    w.String(groups::GroupStateName(g.state));
    w.Key("MemberCount");
    w.Int(static_cast<int64_t>(g.member_count));
    w.EndObject();
  }
  w.EndArray();
  if (page->more && !page->groups.empty()) {
    w.Key("NextToken");
    w.String(page->groups.back().name);
  }
  w.EndObject();
  reply(std::move(out));
}

void HandleDeleteGroup(const CallContext& ctx, const protocol::JsonObject& body, Reply reply) {
  Result<MemberCall> call = DecodeMemberCall(ctx, body, /*member=*/false);
  if (!call.ok()) return reply(call.status());
  ctx.coordinator.Delete(call->key, [reply = std::move(reply)](Status s) {
    if (!s.ok()) return reply(s);
    reply(std::string("{}"));
  });
}

}  // namespace sluice::groups_api
