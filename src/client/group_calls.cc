#include "client/group_calls.h"

#include "client/json_answer.h"
#include "protocol/json_reader.h"
#include "protocol/json_writer.h"

namespace sluice::client {
namespace {

using protocol::JsonArray;
using protocol::JsonObject;
using protocol::JsonWriter;

// A request body under construction: {"StreamName"|"StreamARN": stream, ...}.
class GroupRequest {
 public:
  explicit GroupRequest(const std::string& stream) : w_(&body_) {
    w_.BeginObject();
    w_.Member(stream.rfind("arn:", 0) == 0 ? "StreamARN" : "StreamName", stream);
  }
  JsonWriter& w() { return w_; }
  std::string Finish() {
    w_.EndObject();
    return std::move(body_);
  }

 private:
  std::string body_;
  JsonWriter w_;
};

std::string MemberBody(const std::string& stream, const std::string& group, const std::string& member_id) {
  GroupRequest r(stream);
  r.w().Member("GroupName", group);
  if (!member_id.empty()) r.w().Member("MemberId", member_id);
  return r.Finish();
}

Outcome<std::string> CallGroups(Client& client, std::string_view operation, const std::string& body) {
  return client.CallApi(kSluiceApi, operation, body);
}

// {"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": ...} | {"Type": "TRIM_HORIZON"} | {"Type": "LATEST"}.
Outcome<StartingPosition> ReadPosition(std::string_view operation, const JsonObject& o) {
  const std::string type = Str(o, "Type");
  if (type == "AFTER_SEQUENCE_NUMBER") {
    std::string seq = Str(o, "SequenceNumber");
    if (seq.empty()) return BadAnswer(operation, Status::Validation("AFTER_SEQUENCE_NUMBER without SequenceNumber"));
    return StartingPosition::AfterSequenceNumber(std::move(seq));
  }
  if (type == "TRIM_HORIZON") return StartingPosition::TrimHorizon();
  if (type == "LATEST") return StartingPosition::Latest();
  return BadAnswer(operation, Status::Validation("a StartingPosition of type '" + type + "'"));
}

Outcome<GroupAssignment> ReadAssignment(std::string_view operation, const JsonObject& o) {
  GroupAssignment out;
  std::optional<JsonArray> list;
  Status st = o.GetList("Assignment", &list);
  if (!st.ok()) return BadAnswer(operation, st);
  if (!list) return BadAnswer(operation, Status::Validation("no Assignment"));
  for (size_t i = 0; i < list->size(); ++i) {
    JsonObject a;
    std::optional<JsonObject> position;
    if (!(st = list->StructureAt(i, &a)).ok()) return BadAnswer(operation, st);
    if (!(st = a.GetStructure("StartingPosition", &position)).ok()) return BadAnswer(operation, st);
    GroupShardAssignment shard;
    shard.shard_id = Str(a, "ShardId");
    if (shard.shard_id.empty() || !position) {
      return BadAnswer(operation, Status::Validation("an Assignment entry without ShardId or StartingPosition"));
    }
    Outcome<StartingPosition> start = ReadPosition(operation, *position);
    if (!start.ok()) return start.error();
    shard.start = std::move(start).value();
    out.push_back(std::move(shard));
  }
  return out;
}

std::vector<std::string> Strings(const JsonObject& o, std::string_view key) {
  std::vector<std::string> out;
  std::optional<JsonArray> list;
  if (!o.GetList(key, &list).ok() || !list) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    std::optional<std::string_view> s;
    if (list->StringAt(i, &s).ok() && s) out.emplace_back(*s);
  }
  return out;
}

// Calls `read` for each object of the list `key` (absent: none).
template <typename F>
Status ForEachObject(const JsonObject& o, std::string_view key, F&& read) {
  std::optional<JsonArray> list;
  Status st = o.GetList(key, &list);
  if (!st.ok() || !list) return st;
  for (size_t i = 0; i < list->size(); ++i) {
    JsonObject item;
    if (!(st = list->StructureAt(i, &item)).ok()) return st;
    read(item);
  }
  return Status::Ok();
}

}  // namespace

Outcome<GroupJoined> ParseJoinGroupAnswer(std::string_view json) {
  return ReadAnswer<GroupJoined>("JoinGroup", json, [](const JsonObject& o) -> Outcome<GroupJoined> {
    GroupJoined out;
    out.group = Str(o, "GroupName");
    out.member_id = Str(o, "MemberId");
    if (out.member_id.empty()) return BadAnswer("JoinGroup", Status::Validation("no MemberId"));
    out.generation = Long(o, "Generation");
    out.session_timeout_ms = Long(o, "SessionTimeoutMillis");
    out.heartbeat_interval_ms = Long(o, "HeartbeatIntervalMillis");
    Outcome<GroupAssignment> a = ReadAssignment("JoinGroup", o);
    if (!a.ok()) return a.error();
    out.assignment = std::move(a).value();
    return out;
  });
}

Outcome<GroupHeartbeat> ParseHeartbeatAnswer(std::string_view json) {
  return ReadAnswer<GroupHeartbeat>("Heartbeat", json, [](const JsonObject& o) -> Outcome<GroupHeartbeat> {
    GroupHeartbeat out;
    out.generation = Long(o, "Generation");
    out.rebalance_needed = Bool(o, "RebalanceNeeded");
    out.heartbeat_interval_ms = Long(o, "HeartbeatIntervalMillis");
    Outcome<GroupAssignment> a = ReadAssignment("Heartbeat", o);
    if (!a.ok()) return a.error();
    out.assignment = std::move(a).value();
    return out;
  });
}

std::string SubscribeToGroupBody(const std::string& stream, const std::string& group, const std::string& member_id) {
  return MemberBody(stream, group, member_id);
}

Outcome<GroupAssignmentEvent> ParseAssignmentEvent(std::string_view json) {
  return ReadAnswer<GroupAssignmentEvent>("SubscribeToGroup", json,
                                          [](const JsonObject& o) -> Outcome<GroupAssignmentEvent> {
                                            GroupAssignmentEvent out;
                                            out.generation = Long(o, "Generation");
                                            Outcome<GroupAssignment> a = ReadAssignment("SubscribeToGroup", o);
                                            if (!a.ok()) return a.error();
                                            out.assignment = std::move(a).value();
                                            return out;
                                          });
}

Outcome<GroupShardEvent> ParseGroupShardEvent(std::string_view json) {
  return ReadAnswer<GroupShardEvent>("SubscribeToGroup", json, [](const JsonObject& o) -> Outcome<GroupShardEvent> {
    GroupShardEvent out;
    out.shard_id = Str(o, "ShardId");
    if (out.shard_id.empty()) return BadAnswer("SubscribeToGroup", Status::Validation("an event without ShardId"));
    out.child_shard_ids = Strings(o, "ChildShardIds");
    return out;
  });
}

Outcome<GroupJoined> JoinGroup(Client& client, const JoinGroupRequest& request) {
  GroupRequest r(request.stream);
  r.w().Member("GroupName", request.group);
  if (!request.member_id.empty()) r.w().Member("MemberId", request.member_id);
  if (request.session_timeout_ms > 0) r.w().MemberInt("SessionTimeoutMillis", request.session_timeout_ms);
  if (!request.initial_position.empty()) r.w().Member("InitialPosition", request.initial_position);
  Outcome<std::string> answer = CallGroups(client, "JoinGroup", r.Finish());
  if (!answer.ok()) return answer.error();
  return ParseJoinGroupAnswer(*answer);
}

Outcome<GroupHeartbeat> Heartbeat(Client& client, const std::string& stream, const std::string& group,
                                  const std::string& member_id) {
  Outcome<std::string> answer = CallGroups(client, "Heartbeat", MemberBody(stream, group, member_id));
  if (!answer.ok()) return answer.error();
  return ParseHeartbeatAnswer(*answer);
}

Outcome<Done> LeaveGroup(Client& client, const std::string& stream, const std::string& group,
                         const std::string& member_id) {
  Outcome<std::string> answer = CallGroups(client, "LeaveGroup", MemberBody(stream, group, member_id));
  if (!answer.ok()) return answer.error();
  return Done{};
}

Outcome<Done> CheckpointGroup(Client& client, const CheckpointGroupRequest& request) {
  GroupRequest r(request.stream);
  r.w().Member("GroupName", request.group);
  r.w().Member("MemberId", request.member_id);
  r.w().MemberInt("Generation", request.generation);
  r.w().Member("ShardId", request.shard_id);
  if (!request.sequence_number.empty()) r.w().Member("SequenceNumber", request.sequence_number);
  if (request.shard_end) r.w().MemberBool("ShardEnd", true);
  Outcome<std::string> answer = CallGroups(client, "CheckpointGroup", r.Finish());
  if (!answer.ok()) return answer.error();
  return Done{};
}

Outcome<std::vector<GroupCheckpoint>> GetGroupCheckpoints(Client& client, const std::string& stream,
                                                          const std::string& group) {
  Outcome<std::string> answer = CallGroups(client, "GetGroupCheckpoints", MemberBody(stream, group, ""));
  if (!answer.ok()) return answer.error();
  using List = std::vector<GroupCheckpoint>;
  return ReadAnswer<List>("GetGroupCheckpoints", *answer, [](const JsonObject& o) -> Outcome<List> {
    List out;
    Status st = ForEachObject(o, "Checkpoints", [&](const JsonObject& c) {
      out.push_back(
          {Str(c, "ShardId"), Str(c, "SequenceNumber"), Bool(c, "ShardEnd"), Millis(c, "LastUpdatedTimestamp")});
    });
    if (!st.ok()) return BadAnswer("GetGroupCheckpoints", st);
    return out;
  });
}

Outcome<GroupDescription> DescribeGroup(Client& client, const std::string& stream, const std::string& group) {
  Outcome<std::string> answer = CallGroups(client, "DescribeGroup", MemberBody(stream, group, ""));
  if (!answer.ok()) return answer.error();
  return ReadAnswer<GroupDescription>("DescribeGroup", *answer, [](const JsonObject& o) -> Outcome<GroupDescription> {
    std::optional<JsonObject> g;
    Status st = o.GetStructure("Group", &g);
    if (!st.ok() || !g) return BadAnswer("DescribeGroup", st.ok() ? Status::Validation("no Group") : st);
    GroupDescription out;
    out.group = Str(*g, "GroupName");
    out.stream_arn = Str(*g, "StreamARN");
    out.initial_position = Str(*g, "InitialPosition");
    out.generation = Long(*g, "Generation");
    out.state = Str(*g, "State");
    out.creation_ms = Millis(*g, "CreationTimestamp");
    st = ForEachObject(*g, "Members", [&](const JsonObject& m) {
      out.members.push_back({Str(m, "MemberId"), Strings(m, "Assignment"), Long(m, "SessionTimeoutMillis"),
                             Millis(m, "LastHeartbeatTimestamp"), Bool(m, "Pushed")});
    });
    if (st.ok()) {
      st = ForEachObject(*g, "Shards", [&](const JsonObject& s) {
        out.shards.push_back({Str(s, "ShardId"), Str(s, "Owner"), Str(s, "SequenceNumber"), Bool(s, "ShardEnd"),
                              Long(s, "RecordsBehind"), Long(s, "MillisBehindLatest")});
      });
    }
    if (!st.ok()) return BadAnswer("DescribeGroup", st);
    return out;
  });
}

Outcome<std::vector<GroupSummary>> ListGroups(Client& client, const std::string& stream) {
  std::vector<GroupSummary> out;
  std::string next_token;
  while (true) {
    GroupRequest r(stream);
    if (!next_token.empty()) r.w().Member("NextToken", next_token);
    Outcome<std::string> answer = CallGroups(client, "ListGroups", r.Finish());
    if (!answer.ok()) return answer.error();
    Outcome<Done> page = ReadAnswer<Done>("ListGroups", *answer, [&](const JsonObject& o) -> Outcome<Done> {
      Status st = ForEachObject(o, "Groups", [&](const JsonObject& g) {
        out.push_back({Str(g, "GroupName"), Long(g, "Generation"), Str(g, "State"), Long(g, "MemberCount")});
      });
      if (!st.ok()) return BadAnswer("ListGroups", st);
      next_token = Str(o, "NextToken");
      return Done{};
    });
    if (!page.ok()) return page.error();
    if (next_token.empty()) return out;
  }
}

Outcome<Done> DeleteGroup(Client& client, const std::string& stream, const std::string& group) {
  Outcome<std::string> answer = CallGroups(client, "DeleteGroup", MemberBody(stream, group, ""));
  if (!answer.ok()) return answer.error();
  return Done{};
}

}  // namespace sluice::client
