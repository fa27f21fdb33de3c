// many-shards: one stream of N shards for each --shard-counts N.
// many-streams: N one-shard streams for each --stream-counts N, created by
//   --connections clients (default 4).
// put-record-durability: put-record against a server restarted in
//   --durability fsync, then in os (needs --server-bin).
//
// Each count is one phase, named <workload>/<N>. A phase that cannot finish
// (a create refused or timed out, a walk that fails) reports what it reached
// and why in `reached` and its note, instead of waiting longer than
// --scale-timeout. Server figures need what the server is: RSS and
// descriptors its pid (--server-bin or --rss-pid), disk its data directory
// (--data-dir), restart time a server `sluice bench` started. Per-shard and
// per-stream costs are the change from before the phase's creates to after
// them, divided by the count.
#include <unistd.h>

#include <cinttypes>
#include <cstdio>

#include "bench/counting_handler.h"
#include "bench/json_scan.h"
#include "bench/listing_pages.h"
#include "bench/requests.h"
#include "bench/server_process.h"
#include "bench/workload_support.h"
#include "util/base64.h"
#include "util/clock.h"

namespace sluice::bench {
namespace {

constexpr int kRepeats = 20;  // first and deep page, each timed this often
constexpr int kHashKeysPerPut = 500;
constexpr int kDefaultStreamClients = 4;
constexpr uint64_t kMaxCreateErrors = 10;

int64_t TimeoutNs(const BenchConfig& c) { return static_cast<int64_t>(c.scale_timeout_s * 1e9); }

std::string Fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%.*f", decimals, v);
  return buf;
}
std::string Millis(int64_t ns) { return Fixed(static_cast<double>(ns) / 1e6, 3); }

// What the server holds: its RSS, open descriptors and disk, each -1 when unknown.
struct Footprint {
  int64_t rss_bytes = -1;
  int64_t fds = -1;
  int64_t disk_bytes = -1;
};

int ServerPid(const BenchConfig& c) { return c.server != nullptr ? c.server->pid() : c.rss_pid; }

Footprint TakeFootprint(const BenchConfig& c) {
  Footprint f;
  if (const int pid = ServerPid(c); pid > 0) {
    const int64_t kb = ReadVmRssKb(pid);
    f.rss_bytes = kb < 0 ? -1 : kb * 1024;
    f.fds = CountOpenDescriptors(pid);
  }
  if (!c.data_dir.empty()) f.disk_bytes = DiskUsageBytes(c.data_dir);
  return f;
}

// "(after - before) / count", or "-" when either is unknown.
std::string PerUnit(int64_t before, int64_t after, int64_t count, int decimals) {
  if (before < 0 || after < 0 || count <= 0) return "-";
  return Fixed(static_cast<double>(after - before) / static_cast<double>(count), decimals);
}

void AddFootprint(const Footprint& before, const Footprint& after, int64_t count, const char* unit, WorkloadResult* r) {
  const std::string per = std::string("-per-") + unit;
  r->fields.emplace_back("rss-B" + per, PerUnit(before.rss_bytes, after.rss_bytes, count, 0));
  r->fields.emplace_back("fds" + per, PerUnit(before.fds, after.fds, count, 3));
  r->fields.emplace_back("disk-B" + per, PerUnit(before.disk_bytes, after.disk_bytes, count, 0));
}

void AddPages(const std::string& name, const PageWalk& walk, WorkloadResult* r) {
  r->fields.emplace_back(name + "-pages", std::to_string(walk.pages));
  r->fields.emplace_back(name + "-items", std::to_string(walk.items));
  r->fields.emplace_back(name + "-p50-ms", Millis(walk.latency.Percentile(50)));
  r->fields.emplace_back(name + "-p99-ms", Millis(walk.latency.Percentile(99)));
  if (!walk.status.ok()) r->note += " " + name + " failed: " + walk.status.message() + ";";
}

// The p50 of the same page asked kRepeats times.
void AddRepeated(StreamAdmin& admin, const std::string& name, std::string_view op, const std::string& body,
                 WorkloadResult* r) {
  Status st;
  const Histogram h = TimeRepeated(admin, op, body, kRepeats, &st);
  r->fields.emplace_back(name + "-p50-ms", h.count() ? Millis(h.Percentile(50)) : "-");
  if (!st.ok()) r->note += " " + name + " failed: " + st.message() + ";";
}

// GET /metrics: its size and how long it took.
void AddScrape(const BenchConfig& c, WorkloadResult* r) {
  const std::string request = "GET /metrics HTTP/1.1\r\nHost: " + c.endpoint.host_header + "\r\n\r\n";
  const int64_t start = MonotonicNanos();
  Result<CallResponse> scrape = Call(c.endpoint, request, TimeoutNs(c));
  const int64_t took = MonotonicNanos() - start;
  if (scrape.ok() && scrape->status == 200) {
    r->fields.emplace_back("scrape-B", std::to_string(scrape->body.size()));
    r->fields.emplace_back("scrape-ms", Millis(took));
    return;
  }
  r->fields.emplace_back("scrape-B", "-");
  r->fields.emplace_back("scrape-ms", "-");
}

// Stops and starts the server `sluice bench` runs: the seconds from start to
// healthy, and the RSS and disk per unit right after it (nothing used yet; a server
// may change its files at start-up). "-" without one.
void AddRestart(const BenchConfig& c, const Footprint& before, int64_t count, const char* unit, WorkloadResult* r) {
  if (c.server == nullptr) {
    r->fields.emplace_back("restart-s", "-");
    return;
  }
  Status st = c.server->Stop(TimeoutNs(c));
  Result<int64_t> started = c.server->Start({}, TimeoutNs(c));
  if (!started.ok()) {
    r->fields.emplace_back("restart-s", "-");
    r->note += " restart failed: " + started.status().message() + ";";
    return;
  }
  r->fields.emplace_back("restart-s", Fixed(Seconds(*started), 3));
  // Right after the start nothing was used yet: what an idle shard costs.
  const Footprint restarted = TakeFootprint(c);
  r->fields.emplace_back(std::string("restarted-rss-B-per-") + unit,
                         PerUnit(before.rss_bytes, restarted.rss_bytes, count, 0));
  r->fields.emplace_back(std::string("restarted-disk-B-per-") + unit,
                         PerUnit(before.disk_bytes, restarted.disk_bytes, count, 0));
}

// Fills the line's columns: `count` things made in `ns`.
void SetRate(int64_t count, int64_t ns, const char* unit, WorkloadResult* r) {
  r->ran = true;
  r->unit = unit;
  r->rate = ns > 0 ? static_cast<double>(count) / Seconds(ns) : 0;
}

std::string ScaleName(const BenchConfig& c, const char* what) {
  return c.stream_prefix + "-" + what + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(SystemClock::Instance().NowMillis());
}

// One record on every shard, by each shard's starting hash key.
Status WriteToEveryShard(const BenchConfig& c, StreamAdmin& admin, const std::string& stream,
                         const std::vector<std::string>& hash_keys) {
  const std::string data_b64 = base64::Encode(MakeRandomData(static_cast<size_t>(c.record_size), 7));
  for (size_t first = 0; first < hash_keys.size(); first += kHashKeysPerPut) {
    const size_t n = std::min<size_t>(kHashKeysPerPut, hash_keys.size() - first);
    SLUICE_RETURN_IF_ERROR(
        admin.Request("PutRecords", PutRecordsToHashKeysBody(stream, data_b64, hash_keys, first, n)).status());
  }
  return Status::Ok();
}

WorkloadResult ManyShards(const BenchConfig& c, int64_t shards) {
  WorkloadResult r;
  r.label = std::to_string(shards);
  StreamAdmin admin(c.endpoint, TimeoutNs(c));
  const std::string stream = ScaleName(c, "shards");
  const Footprint before = TakeFootprint(c);

  const int64_t start = MonotonicNanos();
  Status created = admin.CreateAndWait(stream, static_cast<int>(shards), TimeoutNs(c));
  const int64_t took = MonotonicNanos() - start;
  if (!created.ok()) {
    // What exists of it, if anything, is what was reached.
    int64_t open = 0;
    Result<std::string> summary = admin.Request("DescribeStreamSummary", StreamNameBody(stream));
    if (summary.ok()) json::ScanInt(*summary, "OpenShardCount", &open);
    SetRate(open, took, "shards/s", &r);
    r.fields.emplace_back("reached", std::to_string(open));
    r.note = "created " + std::to_string(open) + " of " + std::to_string(shards) + " shards in " +
             Fixed(Seconds(took), 1) + " s: " + created.message();
    (void)admin.Delete(stream, false);
    return r;
  }
  SetRate(shards, took, "shards/s", &r);
  r.fields.emplace_back("reached", std::to_string(shards));
  r.fields.emplace_back("create-s", Fixed(Seconds(took), 3));

  std::vector<std::string> hash_keys;
  const PageWalk by1000 = WalkListShards(admin, stream, 1000, &hash_keys);
  const PageWalk by100 = WalkListShards(admin, stream, 100);
  r.latency = by100.latency;  // the line's latency columns: ListShards pages of 100
  AddPages("list-1000", by1000, &r);
  AddPages("list-100", by100, &r);
  const std::string head = "{\"StreamName\":" + JsonQuote(stream) + ",\"MaxResults\":100";
  AddRepeated(admin, "list-first", "ListShards", head + "}", &r);
  const int deep = static_cast<int>(std::max<int64_t>(shards - 101, 0));
  AddRepeated(admin, "list-deep", "ListShards", head + ",\"ExclusiveStartShardId\":" + JsonQuote(ShardIdOf(deep)) + "}",
              &r);
  AddPages("describe-100", WalkDescribeStream(admin, stream, 100), &r);

  Status wrote = WriteToEveryShard(c, admin, stream, hash_keys);
  if (!wrote.ok()) r.note += " writing one record per shard failed: " + wrote.message() + ";";
  r.fields.emplace_back("written-shards", std::to_string(wrote.ok() ? hash_keys.size() : 0));
  AddFootprint(before, TakeFootprint(c), shards, "shard", &r);
  AddScrape(c, &r);
  AddRestart(c, before, shards, "shard", &r);
  Status deleted = admin.Delete(stream, false);
  if (!deleted.ok()) r.note += " delete failed: " + deleted.message() + ";";
  return r;
}

// Sends one create (or delete) per stream name, `clients` at a time, until
// all are sent, kMaxCreateErrors have failed, or the deadline.
class EachStream final : public CountingHandler {
 public:
  EachStream(const BenchConfig& c, std::string op, const std::vector<std::string>& names, int clients)
      : c_(c), op_(std::move(op)), names_(names), requests_(clients) {}
  Next NextRequest(int conn, int64_t) override {
    if (next_ >= names_.size() || errors >= kMaxCreateErrors) return {};
    const std::string& name = names_[next_++];
    requests_[conn] = HttpRequest(c_.endpoint.host_header, op_,
                                  op_ == "CreateStream" ? CreateStreamBody(name, 1) : StreamNameBody(name));
    return {requests_[conn], 0};
  }

 private:
  const BenchConfig& c_;
  std::string op_;
  const std::vector<std::string>& names_;
  std::vector<std::string> requests_;
  size_t next_ = 0;
};

// Runs `op` on every name: the handler with its counts, or why it could not run.
Result<std::unique_ptr<EachStream>> ForEachStream(const BenchConfig& c, const std::string& op,
                                                  const std::vector<std::string>& names) {
  const int clients = c.connections > 0 ? c.connections : kDefaultStreamClients;
  auto each = std::make_unique<EachStream>(c, op, names, clients);
  LoadLoop loop(c.endpoint, clients);
  SLUICE_RETURN_IF_ERROR(loop.Open());
  SLUICE_RETURN_IF_ERROR(loop.Run(each.get(), MonotonicNanos() + TimeoutNs(c)));
  return each;
}

WorkloadResult ManyStreams(const BenchConfig& c, int64_t count) {
  WorkloadResult r;
  r.label = std::to_string(count);
  StreamAdmin admin(c.endpoint, TimeoutNs(c));
  const std::string prefix = ScaleName(c, "streams");
  std::vector<std::string> names;
  for (int64_t i = 0; i < count; ++i) {
    char suffix[24];
    std::snprintf(suffix, sizeof(suffix), "-%07" PRId64, i);  // sorts as it counts
    names.push_back(prefix + suffix);
  }
  const Footprint before = TakeFootprint(c);
  const int64_t start = MonotonicNanos();
  Result<std::unique_ptr<EachStream>> created = ForEachStream(c, "CreateStream", names);
  const int64_t took = MonotonicNanos() - start;
  if (!created.ok()) {
    r.failure = created.status().message();
    return r;
  }
  const EachStream& made = **created;
  const int64_t done = static_cast<int64_t>(made.ok);
  SetRate(done, took, "streams/s", &r);
  r.fields.emplace_back("reached", std::to_string(done));
  r.fields.emplace_back("create-s", Fixed(Seconds(took), 3));
  r.fields.emplace_back("create-p50-ms", Millis(made.latency.Percentile(50)));
  r.fields.emplace_back("create-p99-ms", Millis(made.latency.Percentile(99)));
  r.errors = made.errors;
  if (done < count) {
    r.note = "created " + std::to_string(done) + " of " + std::to_string(count) + " streams in " +
             Fixed(Seconds(took), 1) + " s" + (made.last_error.empty() ? ": timed out" : ": " + made.last_error) + ";";
  }
  // The last one created is ACTIVE before the listings (a server may keep
  // streams CREATING for a while).
  if (done > 0) {
    Status active = admin.WaitActive(names[static_cast<size_t>(done - 1)], TimeoutNs(c));
    if (!active.ok()) r.note += " " + active.message() + ";";
  }

  const PageWalk walk = WalkListStreams(admin, 100);
  r.latency = walk.latency;  // the line's latency columns: ListStreams pages of 100
  AddPages("liststreams-100", walk, &r);
  AddRepeated(admin, "liststreams-first", "ListStreams", "{\"Limit\":100}", &r);
  const size_t deep = static_cast<size_t>(std::max<int64_t>(done - 101, 0));
  AddRepeated(admin, "liststreams-deep", "ListStreams",
              "{\"Limit\":100,\"ExclusiveStartStreamName\":" + JsonQuote(names[deep]) + "}", &r);
  AddFootprint(before, TakeFootprint(c), done, "stream", &r);
  AddScrape(c, &r);
  AddRestart(c, before, done, "stream", &r);

  names.resize(static_cast<size_t>(done));
  const int64_t del_start = MonotonicNanos();
  Result<std::unique_ptr<EachStream>> deleted = ForEachStream(c, "DeleteStream", names);
  if (deleted.ok()) {
    r.fields.emplace_back("delete-rate", Fixed((*deleted)->ok / Seconds(MonotonicNanos() - del_start), 1));
    if ((*deleted)->errors > 0) r.note += " delete failed: " + (*deleted)->last_error + ";";
  }
  return r;
}

}  // namespace

bool RunManyShards(const BenchConfig& c, WorkloadResult* out) {
  out->ran = true;
  for (int64_t n : c.shard_counts) out->phases.push_back(ManyShards(c, n));
  return true;
}

bool RunManyStreams(const BenchConfig& c, WorkloadResult* out) {
  out->ran = true;
  for (int64_t n : c.stream_counts) out->phases.push_back(ManyStreams(c, n));
  return true;
}

bool RunPutRecordDurability(const BenchConfig& c, WorkloadResult* out) {
  if (c.server == nullptr) {
    out->failure = "needs --server-bin: the server is restarted in each durability mode";
    return false;
  }
  for (const char* mode : {"fsync", "os"}) {
    (void)c.server->Stop(TimeoutNs(c));
    Result<int64_t> started = c.server->Start({"--durability", mode}, TimeoutNs(c));
    if (!started.ok()) {
      out->failure = std::string("starting the server with --durability ") + mode + ": " + started.status().message();
      return false;
    }
    WorkloadResult phase;
    if (!RunPutRecord(c, &phase)) {
      out->failure = std::string("put-record with --durability ") + mode + ": " + phase.failure;
      return false;
    }
    phase.label = mode;
    out->phases.push_back(std::move(phase));
  }
  const double fsync = out->phases[0].rate, os = out->phases[1].rate;
  out->phases[1].fields.emplace_back("fsync-share-%", os > 0 ? Fixed(100 * fsync / os, 1) : "-");
  (void)c.server->Stop(TimeoutNs(c));
  Result<int64_t> restarted = c.server->Start({}, TimeoutNs(c));
  out->ran = true;
  if (!restarted.ok()) out->phases[1].note += "restarting as configured failed: " + restarted.status().message();
  return true;
}

}  // namespace sluice::bench
