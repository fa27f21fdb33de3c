// ListChannels: StreamFilter ([{StreamARN, StreamCreationTimestamp?}]),
// MaxResults (1..10000, at most 100 returned), NextToken. Output:
// {"ChannelSummaries":[..],"NextToken"?}, in name order. A channel passes
// the filter when one of its streams matches one entry (same ARN, and the
// same creation time when the entry gives one).
#include <algorithm>

#include "api/channel_shapes.h"
#include "api/paging.h"

namespace sluice::api {
namespace {

struct Filter {
  std::string stream_arn;
  std::optional<int64_t> creation_ms;
};

bool Passes(const channels::Channel& c, const std::vector<Filter>& filters) {
  if (filters.empty()) return true;
  for (const Filter& f : filters) {
    for (const channels::ChannelStream& s : c.streams) {
      if (s.stream_arn == f.stream_arn && (!f.creation_ms || *f.creation_ms == s.stream_creation_ms)) return true;
    }
  }
  return false;
}

}  // namespace

void HandleListChannels(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  protocol::ValidationErrors errors;
  std::optional<protocol::JsonArray> list;
  Status st = body.GetList("StreamFilter", &list);
  if (!st.ok()) return reply(st);
  std::vector<Filter> filters;
  if (list && list->size() < 1) errors.Add("[]", "streamFilter", "Member must have length greater than or equal to 1");
  for (size_t i = 0; list && i < list->size(); ++i) {
    protocol::JsonObject f;
    std::optional<std::string_view> arn;
    std::optional<int64_t> created;
    st = list->StructureAt(i, &f);
    if (st.ok()) st = f.GetString("StreamARN", &arn);
    if (st.ok()) st = f.GetTimestampMillis("StreamCreationTimestamp", &created);
    if (!st.ok()) return reply(st);
    CheckStreamArnMember(errors, "streamFilter." + std::to_string(i + 1) + ".member.streamARN", arn);
    filters.push_back({std::string(arn.value_or("")), created});
  }
  std::optional<int64_t> max_results;
  std::optional<std::string_view> next_token;
  st = body.GetInteger("MaxResults", &max_results);
  if (st.ok()) st = body.GetString("NextToken", &next_token);
  if (!st.ok()) return reply(st);
  errors.CheckNumber("maxResults", max_results, false, 1, 10000);
  errors.CheckString("nextToken", next_token, false, "", nullptr, 1, 1048576);
  if (!errors.empty()) return reply(errors.ToStatus());

  const int64_t now = ctx.clock.NowMillis();
  std::string after;
  if (next_token) {
    Result<ListChannelsToken> token = DecodeListChannelsToken(*next_token, now);
    if (!token.ok()) return reply(token.status());
    after = token->last_channel_name;
  }
  Result<channels::ChannelRegistry*> registry = Channels(ctx);
  if (!registry.ok()) return reply(registry.status());
  const size_t limit = static_cast<size_t>(std::min<int64_t>(max_results.value_or(100), 100));
  std::vector<channels::Channel> page;
  bool more = false;
  for (channels::Channel& c : (*registry)->List(ctx.options.default_account, ctx.options.default_region)) {
    if ((!after.empty() && c.name <= after) || !Passes(c, filters)) continue;
    if (page.size() == limit) {
      more = true;
      break;
    }
    page.push_back(std::move(c));
  }

  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("ChannelSummaries");
  w.BeginArray();
  for (const channels::Channel& c : page) WriteChannelSummary(w, c);
  w.EndArray();
  if (more) w.Member("NextToken", EncodeListChannelsToken({page.back().name, now}));
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
