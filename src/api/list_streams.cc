// ListStreams: Limit (default and maximum 100 per page),
// ExclusiveStartStreamName, NextToken (takes precedence over
// ExclusiveStartStreamName). Output: StreamNames, HasMoreStreams,
// NextToken (when more remain) and StreamSummaries.
#include <algorithm>

#include "api/model_rules.h"
#include "api/operation.h"
#include "api/paging.h"
#include "api/shapes.h"
#include "api/stream_addressing.h"

namespace sluice::api {
namespace {

constexpr int64_t kMaxStreamsPerPage = 100;

}  // namespace

void HandleListStreams(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<int64_t> limit;
  std::optional<std::string_view> start_name, next_token;
  Status st = body.GetInteger("Limit", &limit);
  if (st.ok()) st = body.GetString("ExclusiveStartStreamName", &start_name);
  if (st.ok()) st = body.GetString("NextToken", &next_token);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  errors.CheckNumber("limit", limit, false, 1, 10000);
  CheckStreamName(errors, "exclusiveStartStreamName", start_name);
  errors.CheckString("nextToken", next_token, false, "", nullptr, 1, 1048576);
  if (!errors.empty()) return reply(errors.ToStatus());

  int64_t now = ctx.clock.NowMillis();
  std::string after;
  if (next_token) {
    Result<ListStreamsToken> token = DecodeListStreamsToken(*next_token, now);
    if (!token.ok()) return reply(token.status());
    after = token->last_stream_name;
  } else if (start_name) {
    after = std::string(*start_name);
  }

  engine::StreamRef ns = DefaultNamespace(ctx.options);
  const size_t page_size = static_cast<size_t>(std::min(limit.value_or(kMaxStreamsPerPage), kMaxStreamsPerPage));
  engine::StreamPage page = ctx.engine.control().ListStreamPage(ns.account, ns.region, after, page_size);
  const auto first = page.streams.cbegin();
  const auto last = page.streams.cend();
  const bool more = page.more;

  std::string out;
  out.reserve(128 + static_cast<size_t>(last - first) * 256);
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("StreamNames");
  w.BeginArray();
  for (auto it = first; it != last; ++it) w.String(it->name);
  w.EndArray();
  w.MemberBool("HasMoreStreams", more);
  if (more && last != first) {
    w.Member("NextToken", EncodeListStreamsToken(ListStreamsToken{(last - 1)->name, now}));
  }
  w.Key("StreamSummaries");
  w.BeginArray();
  for (auto it = first; it != last; ++it) {
    w.BeginObject();
    w.Member("StreamName", it->name);
    w.Member("StreamARN", it->arn);
    w.Member("StreamStatus", engine::StreamStatusName(it->status));
    w.Key("StreamModeDetails");
    WriteStreamModeDetails(w, it->mode);
    w.Key("StreamCreationTimestamp");
    w.TimestampMillis(it->creation_ms);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
