#include "console/console.h"

#include <algorithm>
#include <cstdint>

#include "console/console_assets.h"
#include "console/json_response.h"
#include "protocol/json_writer.h"
#include "util/base64.h"
#include "util/clock.h"

namespace sluice::console {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

server::HttpResponse NotFound() {
  server::HttpResponse r;
  r.status = 404;
  r.headers.emplace_back("Content-Type", "text/plain; charset=utf-8");
  r.body = "not found\n";
  return r;
}

void WriteTotals(protocol::JsonWriter& w, const engine::StreamMetrics& s) {
  const engine::ShardMetrics& t = s.totals;
  w.MemberInt("open_shards", s.open_shards);
  w.MemberInt("shards", s.open_shards + s.closed_shards);
  w.MemberInt("in_records", static_cast<int64_t>(t.incoming_records));
  w.MemberInt("in_bytes", static_cast<int64_t>(t.incoming_bytes));
  w.MemberInt("out_records", static_cast<int64_t>(t.get_records_records + t.subscribe_records));
  w.MemberInt("out_bytes", static_cast<int64_t>(t.get_records_bytes));
}

void WriteStreamHead(protocol::JsonWriter& w, const engine::StreamMetrics& s) {
  w.Member("name", s.ref.name);
  w.Member("account", s.ref.account);
  w.Member("region", s.ref.region);
  w.Member("status", engine::StreamStatusName(s.status));
  w.Member("mode", engine::StreamModeName(s.mode));
  w.MemberInt("retention_hours", s.retention_hours);
  w.MemberInt("bytes_on_disk", static_cast<int64_t>(s.bytes_on_disk));
  WriteTotals(w, s);
}

}  // namespace

std::string QueryParam(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == key) return eq == std::string_view::npos ? "" : PercentDecode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return "";
}

bool Console::Handle(const server::HttpRequest& request, server::HttpResponse* response) const {
  if (request.method != "GET") return false;
  std::string_view target = request.target;
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  if (path != "/console" && path.rfind("/console/", 0) != 0) return false;

  if (path == "/console/api/streams") {
    *response = JsonResponse(200, Streams());
    return true;
  }
  if (path == "/console/api/stream") {
    *response = Stream(query);
    return true;
  }
  if (path == "/console/api/records") {
    *response = Records(query);
    return true;
  }
  if (path == "/console/api/cloudwatch" && cloudwatch_) {
    *response = JsonResponse(200, cloudwatch_());
    return true;
  }
  if (path == "/console/api/channels" && channels_) {
    *response = JsonResponse(200, channels_());
    return true;
  }
  if (path == "/console/api/groups" && groups_) {
    *response = JsonResponse(200, groups_());
    return true;
  }
  if (path == "/console/api/cluster") {
    *response = cluster_ ? JsonResponse(200, cluster_())
                         : JsonErrorResponse(404, "this server is not in a cluster (sluice serve --cluster)");
    return true;
  }
  std::string_view name = path == "/console" || path == "/console/" ? "index.html" : path.substr(9);
  for (const ConsoleAsset& asset : ConsoleAssets()) {
    if (asset.name != name) continue;
    server::HttpResponse r;
    r.headers.emplace_back("Content-Type", std::string(asset.content_type));
    r.headers.emplace_back("Cache-Control", "no-cache");
    r.body = std::string(asset.body);
    *response = std::move(r);
    return true;
  }
  *response = NotFound();
  return true;
}

server::HttpResponse Console::Answer(const server::HttpRequest& request) const {
  server::HttpResponse r;
  if (!Handle(request, &r)) r = NotFound();
  return r;
}

std::string Console::Streams() const {
  const engine::EngineMetrics m = engine_.Metrics(engine::ShardDetail::kNone);
  std::string body;
  protocol::JsonWriter w(&body);
  w.BeginObject();
  w.MemberInt("now_ms", SystemClock::Instance().NowMillis());
  w.Member("default_account", account_);
  w.Member("default_region", region_);
  w.Key("streams");
  w.BeginArray();
  for (const engine::StreamMetrics& s : m.streams) {
    w.BeginObject();
    WriteStreamHead(w, s);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return body;
}

server::HttpResponse Console::Stream(std::string_view query) const {
  const std::string name = QueryParam(query, "name");
  std::string account = QueryParam(query, "account");
  std::string region = QueryParam(query, "region");
  if (account.empty()) account = account_;
  if (region.empty()) region = region_;
  const engine::EngineMetrics m = engine_.Metrics();
  for (const engine::StreamMetrics& s : m.streams) {
    if (s.ref.name != name || s.ref.account != account || s.ref.region != region) continue;
    std::string body;
    protocol::JsonWriter w(&body);
    w.BeginObject();
    w.MemberInt("now_ms", SystemClock::Instance().NowMillis());
    WriteStreamHead(w, s);
    w.Key("shard_counters");
    w.BeginArray();
    for (const engine::ShardMetrics& shard : s.shards) {
      // [id, open, in records, in bytes, out records, out bytes, iterator age]: compact for
      // streams of thousands of shards polled every second.
      w.BeginArray();
      w.String(shard.shard_id);
      w.Bool(shard.open);
      w.Int(static_cast<int64_t>(shard.incoming_records));
      w.Int(static_cast<int64_t>(shard.incoming_bytes));
      w.Int(static_cast<int64_t>(shard.get_records_records + shard.subscribe_records));
      w.Int(static_cast<int64_t>(shard.get_records_bytes));
      w.Int(shard.iterator_age_ms);
      w.EndArray();
    }
    w.EndArray();
    // Enhanced fan-out consumers reading now: their lag per shard.
    w.Key("subscriptions");
    w.BeginArray();
    for (const engine::SubscriptionMetrics& sub : m.subscriptions) {
      if (sub.stream.name != name || sub.stream.account != account || sub.stream.region != region) continue;
      w.BeginObject();
      w.Member("consumer_arn", sub.consumer_arn);
      w.Member("shard_id", sub.shard_id);
      w.MemberInt("millis_behind_latest", sub.millis_behind_latest);
      w.MemberInt("started_ms", sub.started_ms);
      w.MemberInt("last_event_ms", sub.last_event_ms);
      w.MemberInt("records_sent", static_cast<int64_t>(sub.records_sent));
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    return JsonResponse(200, std::move(body));
  }
  return JsonErrorResponse(404, "no stream " + name + " in account " + account + ", region " + region);
}

server::HttpResponse Console::Records(std::string_view query) const {
  engine::StreamRef ref{QueryParam(query, "account"), QueryParam(query, "region"), QueryParam(query, "stream")};
  if (ref.account.empty()) ref.account = account_;
  if (ref.region.empty()) ref.region = region_;
  const std::string shard = QueryParam(query, "shard");
  int n = 20;
  const std::string n_text = QueryParam(query, "n");
  if (!n_text.empty()) {
    // Digits only, and at most a thousand: a huge or malformed count is clamped, never overflows.
    long long parsed = 0;
    for (char c : n_text) {
      if (c < '0' || c > '9') break;
      parsed = std::min<long long>(parsed * 10 + (c - '0'), 1000);
    }
    n = static_cast<int>(std::clamp<long long>(parsed, 1, 1000));
  }
  Result<engine::GetRecordsResult> read = engine_.records().LatestRecords(ref, shard, n);
  if (!read.ok())
    return JsonErrorResponse(read.status().code() == ErrorCode::kResourceNotFound ? 404 : 500, read.status().message());
  std::string body;
  protocol::JsonWriter w(&body);
  w.BeginObject();
  w.Key("records");
  w.BeginArray();
  for (const engine::Record& r : read->records) {
    w.BeginObject();
    w.Member("seq", engine::ToView(r.sequence_number));
    w.MemberInt("arrival_ms", r.arrival_ms);
    w.Member("key", r.partition_key);
    w.Key("data");
    w.Blob(r.data);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return JsonResponse(200, std::move(body));
}

}  // namespace sluice::console
