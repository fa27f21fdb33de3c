// ListStreamConsumers: StreamARN (required, also with NextToken),
// MaxResults (1..10000; at most 100 per page, the default), NextToken,
// StreamCreationTimestamp (not with NextToken). Output: {"Consumers":[...],
// "NextToken"?}, consumers by creation time then name. The token carries the
// stream and the last consumer returned, and expires after 300 s.
#include <algorithm>
#include <tuple>

#include "api/consumers.h"
#include "api/model_rules.h"
#include "api/operation.h"
#include "api/paging.h"
#include "api/stream_addressing.h"

namespace sluice::api {
namespace {

constexpr int64_t kMaxConsumersPerPage = 100;

bool SameStream(const engine::StreamRef& a, const engine::StreamRef& b) {
  return a.account == b.account && a.region == b.region && a.name == b.name;
}

}  // namespace

void HandleListStreamConsumers(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  std::optional<std::string_view> arn, next_token;
  std::optional<int64_t> max_results, creation_ms;
  Status st = body.GetString("StreamARN", &arn);
  if (st.ok()) st = body.GetString("NextToken", &next_token);
  if (st.ok()) st = body.GetInteger("MaxResults", &max_results);
  if (st.ok()) st = body.GetTimestampMillis("StreamCreationTimestamp", &creation_ms);
  if (!st.ok()) return reply(st);

  protocol::ValidationErrors errors;
  CheckStreamArn(errors, arn, /*required=*/true);
  errors.CheckString("nextToken", next_token, false, "", nullptr, 1, 1048576);
  errors.CheckNumber("maxResults", max_results, false, 1, 10000);
  if (!errors.empty()) return reply(errors.ToStatus());

  Result<engine::StreamRef> ref = ResolveStream(ctx.options, std::nullopt, arn);
  if (!ref.ok()) return reply(ref.status());
  const int64_t now = ctx.clock.NowMillis();
  ListStreamConsumersToken cursor;  // where this page starts
  bool after_cursor = false;
  if (next_token) {
    if (creation_ms) {
      return reply(Status::InvalidArgument("NextToken and StreamCreationTimestamp cannot be provided together."));
    }
    Result<ListStreamConsumersToken> token = DecodeListStreamConsumersToken(*next_token, now);
    if (!token.ok()) return reply(token.status());
    // A token continues the listing of the stream it came from only.
    if (!SameStream(token->stream, *ref)) return reply(Status::InvalidArgument("Invalid NextToken."));
    cursor = *std::move(token);
    after_cursor = true;
  } else {
    cursor.stream = *ref;
    cursor.stream_creation_ms = creation_ms;
  }

  Result<std::vector<engine::ConsumerDescription>> consumers =
      ctx.engine.consumers().ListStreamConsumers(cursor.stream, cursor.stream_creation_ms);
  if (!consumers.ok()) return reply(consumers.status());
  auto key = [](const engine::ConsumerDescription& c) { return std::tie(c.creation_ms, c.name); };
  std::sort(consumers->begin(), consumers->end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });

  size_t first = 0;
  if (after_cursor) {
    const auto last = std::tie(cursor.last_creation_ms, cursor.last_consumer_name);
    while (first < consumers->size() && key((*consumers)[first]) <= last) ++first;
  }
  const size_t page = static_cast<size_t>(std::min(max_results.value_or(kMaxConsumersPerPage), kMaxConsumersPerPage));
  const size_t end = std::min(consumers->size(), first + page);

  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("Consumers");
  w.BeginArray();
  for (size_t i = first; i < end; ++i) WriteConsumer(w, (*consumers)[i]);
  w.EndArray();
  if (end < consumers->size()) {
    cursor.last_creation_ms = (*consumers)[end - 1].creation_ms;
    cursor.last_consumer_name = (*consumers)[end - 1].name;
    cursor.issued_ms = now;
    w.Member("NextToken", EncodeListStreamConsumersToken(cursor));
  }
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
