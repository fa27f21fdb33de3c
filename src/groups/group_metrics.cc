#include "groups/group_metrics.h"

#include <algorithm>
#include <string_view>

#include "protocol/json_writer.h"

namespace sluice::groups {
namespace {

using metrics::Labels;
using metrics::MetricType;

// Groups asked of Coordinator::List at a time.
constexpr size_t kListPage = 1000;

// The groups of `stream`, at most `limit` of them; `*more` says whether
// there are others. None when the stream went away since it was listed.
std::vector<GroupSummary> StreamGroups(Coordinator& coordinator, const engine::StreamRef& stream, size_t limit,
                                       bool* more) {
  std::vector<GroupSummary> out;
  *more = false;
  std::string after;
  while (true) {
    Result<GroupPage> page =
        coordinator.List(stream, after, std::min(kListPage, limit - out.size()), /*held_only=*/true);
    if (!page.ok()) return out;
    for (GroupSummary& s : page->groups) out.push_back(std::move(s));
    if (!page->more) return out;
    if (out.size() == limit) {
      *more = true;
      return out;
    }
    after = out.back().name;
  }
}

GroupKey KeyOf(const engine::StreamRef& stream, const std::string& group) {
  return {stream.account, stream.region, stream.name, group};
}

bool ReportsLag(const engine::StreamMetrics& stream) {
  return std::find(stream.shard_level_metrics.begin(), stream.shard_level_metrics.end(), "IteratorAgeMilliseconds") !=
         stream.shard_level_metrics.end();
}

void WriteGroup(protocol::JsonWriter& w, const GroupDescription& d) {
  w.BeginObject();
  w.Member("name", d.record.key.group);
  w.MemberInt("generation", d.generation);
  w.Member("state", GroupStateName(d.state));
  w.Member("initial_position", InitialPositionName(d.record.initial_position));
  w.Key("members");
  w.BeginArray();
  for (const MemberDescription& m : d.members) {
    w.BeginObject();
    w.Member("member_id", m.member_id);
    w.Key("assignment");
    w.BeginArray();
    for (const std::string& shard : m.assignment) w.String(shard);
    w.EndArray();
    w.MemberInt("session_timeout_ms", m.session_timeout_ms);
    w.MemberInt("last_heartbeat_ms", m.last_heartbeat_ms);
    w.MemberBool("pushed", m.pushed);
    w.EndObject();
  }
  w.EndArray();
  w.Key("shards");
  w.BeginArray();
  for (const ShardDescription& s : d.shards) {
    w.BeginObject();
    w.Member("shard_id", s.shard_id);
    w.Key("owner");
    s.owner ? w.String(*s.owner) : w.Null();
    w.Key("sequence_number");
    s.sequence_number ? w.String(*s.sequence_number) : w.Null();
    w.MemberBool("shard_end", s.shard_end);
    w.MemberInt("records_behind", s.lag.records_behind);
    w.MemberInt("millis_behind_latest", s.lag.millis_behind_latest);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

void AddGroupMetrics(Coordinator& coordinator, const std::vector<engine::StreamMetrics>& streams,
                     metrics::Exposition& out) {
  auto& members = out.Declare("sluice_group_members", "Members of a consumer group now.", MetricType::kGauge);
  auto& generation =
      out.Declare("sluice_group_generation",
                  "Generation of a consumer group: raised by every change of its assignment.", MetricType::kGauge);
  auto& rebalances =
      out.Declare("sluice_group_rebalances_total", "Changes of a consumer group's assignment since the server started.",
                  MetricType::kCounter);
  auto& records_behind =
      out.Declare("sluice_group_records_behind",
                  "Records of a shard after its consumer group's checkpoint (streams with enhanced monitoring of "
                  "IteratorAgeMilliseconds).",
                  MetricType::kGauge);
  auto& millis_behind = out.Declare(
      "sluice_group_millis_behind_latest",
      "How long ago the newest record after a consumer group's checkpoint of a shard arrived, in milliseconds (0: "
      "none after it; streams with enhanced monitoring of IteratorAgeMilliseconds).",
      MetricType::kGauge);
  for (const engine::StreamMetrics& stream : streams) {
    bool more = false;
    for (const GroupSummary& g : StreamGroups(coordinator, stream.ref, kMaxGroupsPerStream, &more)) {
      const Labels labels{{"stream", stream.ref.name},
                          {"group", g.name},
                          {"account", stream.ref.account},
                          {"region", stream.ref.region}};
      members.Add(labels, static_cast<uint64_t>(g.member_count));
      generation.Add(labels, g.generation);
      rebalances.Add(labels, g.generation);
      if (!ReportsLag(stream)) continue;
      Result<GroupDescription> d = coordinator.Describe(KeyOf(stream.ref, g.name), /*claim=*/false);
      if (!d.ok()) continue;
      for (const ShardDescription& s : d->shards) {
        Labels shard_labels = labels;
        shard_labels.insert(shard_labels.begin() + 2, {"shard", s.shard_id});
        records_behind.Add(shard_labels, s.lag.records_behind);
        millis_behind.Add(shard_labels, s.lag.millis_behind_latest);
      }
    }
  }
}

std::string GroupsJson(Coordinator& coordinator, const std::vector<engine::StreamMetrics>& streams) {
  std::string json;
  protocol::JsonWriter w(&json);
  w.BeginObject();
  w.Key("streams");
  w.BeginArray();
  for (const engine::StreamMetrics& stream : streams) {
    bool more = false;
    const std::vector<GroupSummary> groups = StreamGroups(coordinator, stream.ref, kConsoleGroupsPerStream, &more);
    if (groups.empty()) continue;
    w.BeginObject();
    w.Member("account", stream.ref.account);
    w.Member("region", stream.ref.region);
    w.Member("name", stream.ref.name);
    w.MemberBool("more_groups", more);
    w.Key("groups");
    w.BeginArray();
    for (const GroupSummary& g : groups) {
      Result<GroupDescription> d = coordinator.Describe(KeyOf(stream.ref, g.name), /*claim=*/false);
      if (d.ok()) WriteGroup(w, *d);
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return json;
}

}  // namespace sluice::groups
