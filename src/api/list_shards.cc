// ListShards: StreamName/StreamARN (+ StreamCreationTimestamp) or NextToken,
// ExclusiveStartShardId, MaxResults (default and maximum 1000 per page),
// ShardFilter {Type, ShardId, Timestamp}.
// Output: {"Shards":[...], "NextToken"?}. The token carries the stream, the
// filter and the last shard returned, and expires after 300 s.
#include <array>

#include "api/model_rules.h"
#include "api/operation.h"
#include "api/paging.h"
#include "api/shapes.h"
#include "api/stream_addressing.h"

namespace sluice::api {
namespace {

constexpr int64_t kMaxShardsPerPage = 1000;
constexpr std::array<std::string_view, 6> kFilterTypes = {"AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON",
                                                          "AT_LATEST",      "AT_TIMESTAMP",    "FROM_TIMESTAMP"};

struct ListShardsRequest {
  std::optional<std::string_view> start_shard;
  std::optional<int64_t> max_results;
  std::optional<std::string_view> next_token;
  std::optional<int64_t> creation_ms;
  std::optional<std::string_view> name;
  std::optional<protocol::JsonObject> filter;
  std::optional<std::string_view> filter_type;
  std::optional<std::string_view> filter_shard_id;
  std::optional<int64_t> filter_timestamp_ms;
  std::optional<std::string_view> arn;
};

Status Decode(const protocol::JsonObject& body, ListShardsRequest* r) {
  SLUICE_RETURN_IF_ERROR(body.GetString("ExclusiveStartShardId", &r->start_shard));
  SLUICE_RETURN_IF_ERROR(body.GetInteger("MaxResults", &r->max_results));
  SLUICE_RETURN_IF_ERROR(body.GetString("NextToken", &r->next_token));
  SLUICE_RETURN_IF_ERROR(body.GetTimestampMillis("StreamCreationTimestamp", &r->creation_ms));
  SLUICE_RETURN_IF_ERROR(body.GetString("StreamName", &r->name));
  SLUICE_RETURN_IF_ERROR(body.GetStructure("ShardFilter", &r->filter));
  if (r->filter) {
    SLUICE_RETURN_IF_ERROR(r->filter->GetString("Type", &r->filter_type));
    SLUICE_RETURN_IF_ERROR(r->filter->GetString("ShardId", &r->filter_shard_id));
    SLUICE_RETURN_IF_ERROR(r->filter->GetTimestampMillis("Timestamp", &r->filter_timestamp_ms));
  }
  SLUICE_RETURN_IF_ERROR(body.GetString("StreamARN", &r->arn));
  return Status::Ok();
}

Status Validate(const ListShardsRequest& r) {
  protocol::ValidationErrors errors;
  CheckShardId(errors, "exclusiveStartShardId", r.start_shard);
  errors.CheckNumber("maxResults", r.max_results, false, 1, 10000);
  errors.CheckString("nextToken", r.next_token, false, "", nullptr, 1, 1048576);
  CheckStreamName(errors, "streamName", r.name);
  if (r.filter) {
    errors.CheckEnum("shardFilter.type", r.filter_type, true, kFilterTypes);
    CheckShardId(errors, "shardFilter.shardId", r.filter_shard_id);
  }
  CheckStreamArn(errors, r.arn);
  return errors.ToStatus();
}

engine::ShardFilter::Type FilterTypeOf(std::string_view name) {
  using T = engine::ShardFilter::Type;
  if (name == "AFTER_SHARD_ID") return T::kAfterShardId;
  if (name == "AT_TRIM_HORIZON") return T::kAtTrimHorizon;
  if (name == "FROM_TRIM_HORIZON") return T::kFromTrimHorizon;
  if (name == "AT_LATEST") return T::kAtLatest;
  if (name == "AT_TIMESTAMP") return T::kAtTimestamp;
  return T::kFromTimestamp;
}

// The filter of a first-page request, or an InvalidArgumentException.
Result<engine::ShardFilter> FilterOf(const ListShardsRequest& r) {
  engine::ShardFilter f;
  if (!r.filter) return f;
  f.type = FilterTypeOf(*r.filter_type);
  using T = engine::ShardFilter::Type;
  if (f.type == T::kAfterShardId) {
    if (!r.filter_shard_id) {
      return Status::InvalidArgument("ShardId must be specified when ShardFilter type is AFTER_SHARD_ID.");
    }
    f.shard_id = std::string(*r.filter_shard_id);
  }
  if (f.type == T::kAtTimestamp || f.type == T::kFromTimestamp) {
    if (!r.filter_timestamp_ms) {
      return Status::InvalidArgument("Timestamp must be specified when ShardFilter type is " +
                                     std::string(*r.filter_type) + ".");
    }
    f.timestamp_ms = *r.filter_timestamp_ms;
  }
  return f;
}

}  // namespace

void HandleListShards(const OperationContext& ctx, const protocol::JsonObject& body, Reply reply) {
  ListShardsRequest r;
  Status st = Decode(body, &r);
  if (st.ok()) st = Validate(r);
  if (!st.ok()) return reply(st);

  int64_t now = ctx.clock.NowMillis();
  bool names_stream = r.name || r.arn;
  ListShardsToken cursor;  // where this page starts
  if (r.next_token) {
    if (names_stream) return reply(Status::InvalidArgument("NextToken and StreamName cannot be provided together."));
    if (r.start_shard) {
      return reply(Status::InvalidArgument("NextToken and ExclusiveStartShardId cannot be provided together."));
    }
    if (r.filter) return reply(Status::InvalidArgument("NextToken and ShardFilter cannot be provided together."));
    if (r.creation_ms) {
      return reply(Status::InvalidArgument("NextToken and StreamCreationTimestamp cannot be provided together."));
    }
    Result<ListShardsToken> token = DecodeListShardsToken(*r.next_token, now);
    if (!token.ok()) return reply(token.status());
    cursor = *std::move(token);
  } else {
    if (!names_stream) return reply(Status::InvalidArgument("Either NextToken or StreamName should be provided."));
    Result<engine::StreamRef> ref = ResolveStream(ctx.options, r.name, r.arn);
    if (!ref.ok()) return reply(ref.status());
    Result<engine::ShardFilter> filter = FilterOf(r);
    if (!filter.ok()) return reply(filter.status());
    cursor.stream = *std::move(ref);
    cursor.filter = *std::move(filter);
    cursor.stream_creation_ms = r.creation_ms;
    if (r.start_shard) cursor.last_shard_id = std::string(*r.start_shard);
  }

  // The page starts after the cursor, compared by shard index (an id that
  // does not parse starts from the first shard).
  engine::ShardPageRequest request;
  if (!cursor.last_shard_id.empty()) request.after_index = engine::ParseShardId(cursor.last_shard_id).value_or(-1);
  request.limit = static_cast<size_t>(std::min(r.max_results.value_or(kMaxShardsPerPage), kMaxShardsPerPage));
  Result<engine::ShardPage> page =
      ctx.engine.control().ListShardPage(cursor.stream, cursor.filter, cursor.stream_creation_ms, request);
  if (!page.ok()) return reply(page.status());
  const std::vector<engine::Shard>& shards = page->shards;

  std::string out;
  out.reserve(64 + shards.size() * 320);
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("Shards");
  w.BeginArray();
  for (const engine::Shard& shard : shards) WriteShard(w, shard);
  w.EndArray();
  if (page->more && !shards.empty()) {
    cursor.last_shard_id = shards.back().shard_id;
    cursor.issued_ms = now;
    w.Member("NextToken", EncodeListShardsToken(cursor));
  }
  w.EndObject();
  reply(std::move(out));
}

}  // namespace sluice::api
