// `sluice bench`: flags, the run over the named workloads, and the report.
//
// Output (stdout): '#' header lines (the command line, the parameters), then
// one line per workload in fixed columns,
//   <workload> <rate> <unit> <MB/s> MB/s p50 <ms> ms p90 <ms> ms p99 <ms> ms
//     p99.9 <ms> ms max <ms> ms errors <n> [<key> <value>]...
// (on one line) where MB/s counts record data (not wire bytes) and latency is
// per request (put-to-get per record for e2e, put-to-receive per record and
// subscriber for push); push adds `produced <records/s> subscribers <n>`.
// push-fanout prints one such line per phase, named push-fanout/<subscribers>,
// with the producer's PutRecord latency and `subscribers <n> delivered
// <records/s>`. many-shards and many-streams print one line per count,
// many-shards/<N> and many-streams/<N>: shards/s or streams/s created, the
// latency of ListShards or ListStreams pages of 100, then `<key> <value>`
// pairs (reached, page latencies, per-shard costs, scrape-B, restart-s, ...;
// "-" when not measurable); put-record-durability prints
// put-record-durability/fsync and /os. Each line is followed by indented detail lines: counts, the
// load generator's CPU share, and for get with --rss-pid the server's VmRSS
// after the load. A workload that could not run prints
//   <workload> FAILED: <reason>
// scripts/bench parses these lines by key; keep them stable.
#include "bench/bench.h"

#include <algorithm>
#include <memory>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_flags.h"
#include "bench/report.h"
#include "bench/server_process.h"
#include "bench/workloads.h"

namespace sluice::bench {
namespace {

constexpr int64_t kMaxPutRecordsBytes = 10 * 1024 * 1024;

constexpr const char* kUsage = R"(usage: sluice bench [flags]

Runs named workloads against a Kinesis Data Streams endpoint over HTTP/1.1
and prints one line per workload.

  --endpoint URL       http://<ipv4|localhost>:<port> (default http://127.0.0.1:4567)
  --workloads LIST     comma-separated, run in order (default put-records,put-record,get,e2e)
                         put-records  PutRecords of --batch records for --duration s
                         put-record   PutRecord for --duration s (32 connections by default)
                         get          load --records with PutRecords (untimed), then drain
                                      them with GetRecords from TRIM_HORIZON, one reader per shard
                         e2e          PutRecord at --rate records/s for --duration s while a
                                      GetRecords reader polls; reports put-to-get latency
                         push         --subscribers SubscribeToShard subscribers (one consumer
                                      and HTTP/1.1 connection each, StartingPosition LATEST);
                                      once all are subscribed, PutRecord at --rate records/s for
                                      --duration s; reports put-to-receive latency of every
                                      record pushed to every subscriber, the rate delivered
                                      (all subscribers together) and produced
                         push-fanout  the producer's cost of subscribers: PutRecord at --rate
                                      records/s for --duration s with no subscribers, then
                                      again with --fanout subscribers on shard 0; one line
                                      each (push-fanout/0, push-fanout/<fanout>) with the
                                      producer's PutRecord latency and acknowledged rate
                         many-shards  for each --shard-counts N: CreateStream of N shards (wait
                                      ACTIVE), ListShards by pages of 1000 and 100, first and
                                      deep page, DescribeStream by pages of 100, one record to
                                      every shard, then the server's RSS, descriptors and disk
                                      per shard, /metrics size and time, restart time
                         many-streams for each --stream-counts N: N one-shard streams created
                                      by --connections clients (default 4), ListStreams by
                                      pages of 100, first and deep page, RSS, descriptors and
                                      disk per stream, /metrics, restart time; then deletes them
                         put-record-durability  put-record against the server restarted with
                                      --durability fsync, then os (needs --server-bin)
  --connections N      connections for the writers (default: 8 put-records and get's
                       load, 32 put-record, 8 e2e producers, and for push and
                       push-fanout --rate/250 producers within 8..64)
  --duration S         seconds of the timed phase (default 10)
  --records N          records loaded and drained by get (default 1000000)
  --record-size B      bytes of data per record (default 100)
  --batch N            records per PutRecords request, 1..500 (default 500)
  --shards N           shards of each workload's stream (default 1)
  --rate R             e2e, push and push-fanout records per second (default 1000)
  --subscribers N      push subscribers (default: one per shard), round-robin over the shards
  --same-shard         push: put every subscriber on shard 0
  --fanout N           push-fanout subscribers of the second phase (default 16)
                       (each push subscriber is a consumer of its own: a stream takes at
                       most 20 unless the server allows more)
  --poll-ms MS         e2e reader delay after an empty GetRecords (default 0)
  --get-limit N        GetRecords Limit (default 10000)
  --stream-prefix P    prefix of the streams created (default sluice-bench)
  --rss-pid PID        the server's pid: VmRSS after get's load; RSS and descriptors
                       of the scale workloads
  --shard-counts LIST  many-shards: shards of each phase's stream (default 1000)
  --stream-counts LIST many-streams: streams of each phase (default 1000)
  --scale-timeout S    longest wait for each create, listing, scrape and restart of the
                       scale workloads (default 600); what was reached is reported
  --data-dir DIR       the server's data directory: disk per shard of the scale workloads
  --server-bin PATH    run PATH serve --host/--port of --endpoint --data-dir DIR
                       [--server-args] as a child for the run, its log in DIR.log;
                       the scale workloads then time restarts
  --server-args ARGS   more flags for that server, space-separated
                       (e.g. "--shard-limit 200000 --durability os")

sluice bench seed [--quick] [--out DIR] measures the client library instead
(puts/s per shard, put-to-get lag) and writes a Markdown report with plots;
see sluice bench seed --help. sluice bench groups measures a consumer group
(put-to-member latency, rebalance time); see sluice bench groups --help.
)";

}  // namespace

int RunBench(int argc, char** argv) {
  BenchConfig config;
  std::string endpoint_url = "http://127.0.0.1:4567";
  std::vector<std::string> workloads = {"put-records", "put-record", "get", "e2e"};
  std::string server_bin;
  std::vector<std::string> server_args;

  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--same-shard") {  // the one flag without a value
      config.same_shard = true;
      continue;
    }
    std::string_view name = arg, value;
    bool have_value = false;
    if (size_t eq = arg.find('='); eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
      have_value = true;
    } else if (i + 1 < argc) {
      value = argv[i + 1];
    }
    auto take = [&]() {
      if (!have_value) ++i;
    };
    if (!have_value && i + 1 >= argc) {
      std::fprintf(stderr, "bench: flag %s needs a value\n%s", std::string(name).c_str(), kUsage);
      return 2;
    }
    int64_t v = 0;
    bool ok = true;
    if (name == "--endpoint") {
      endpoint_url = value;
    } else if (name == "--workloads") {
      workloads = Split(value, ',');
    } else if (name == "--stream-prefix") {
      config.stream_prefix = value;
    } else if (name == "--duration") {
      char* end = nullptr;
      std::string s(value);
      double d = std::strtod(s.c_str(), &end);
      ok = *end == '\0' && d > 0 && d <= 86400;
      config.duration_s = d;
    } else if (name == "--connections") {
      ok = ParseInt(value, 1, 4096, &v), config.connections = static_cast<int>(v);
    } else if (name == "--records") {
      ok = ParseInt(value, 1, int64_t{1} << 40, &v), config.records = v;
    } else if (name == "--record-size") {
      ok = ParseInt(value, 1, 1 << 20, &v), config.record_size = static_cast<int>(v);
    } else if (name == "--batch") {
      ok = ParseInt(value, 1, 500, &v), config.batch = static_cast<int>(v);
    } else if (name == "--shards") {
      ok = ParseInt(value, 1, 1000, &v), config.shards = static_cast<int>(v);
    } else if (name == "--rate") {
      ok = ParseInt(value, 1, 10'000'000, &v), config.rate = static_cast<int>(v);
    } else if (name == "--poll-ms") {
      ok = ParseInt(value, 0, 60'000, &v), config.poll_ms = static_cast<int>(v);
    } else if (name == "--get-limit") {
      ok = ParseInt(value, 1, 10000, &v), config.get_limit = static_cast<int>(v);
    } else if (name == "--subscribers") {
      ok = ParseInt(value, 1, 1000, &v), config.subscribers = static_cast<int>(v);
    } else if (name == "--fanout") {
      ok = ParseInt(value, 1, 1000, &v), config.fanout = static_cast<int>(v);
    } else if (name == "--shard-counts") {
      ok = ParseCountList(value, 1, 10'000'000, &config.shard_counts);
    } else if (name == "--stream-counts") {
      ok = ParseCountList(value, 1, 10'000'000, &config.stream_counts);
    } else if (name == "--scale-timeout") {
      ok = ParseInt(value, 1, 86400, &v), config.scale_timeout_s = static_cast<double>(v);
    } else if (name == "--data-dir") {
      config.data_dir = value;
    } else if (name == "--server-bin") {
      server_bin = value;
    } else if (name == "--server-args") {
      server_args = Split(value, ' ');
    } else if (name == "--rss-pid") {
      ok = ParseInt(value, 1, 1 << 30, &v), config.rss_pid = static_cast<int>(v);
    } else {
      std::fprintf(stderr, "bench: unknown flag %s\n%s", std::string(name).c_str(), kUsage);
      return 2;
    }
    if (!ok) {
      std::fprintf(stderr, "bench: bad value for %s: %s\n", std::string(name).c_str(), std::string(value).c_str());
      return 2;
    }
    take();
  }

  // A PutRecords request carries at most 10 MiB of data and partition keys.
  const int64_t max_batch = std::max<int64_t>(1, kMaxPutRecordsBytes / (config.record_size + 16));
  if (config.batch > max_batch) {
    std::fprintf(stderr, "bench: --batch lowered to %lld to keep PutRecords under 10 MiB\n",
                 static_cast<long long>(max_batch));
    config.batch = static_cast<int>(max_batch);
  }

  Result<Endpoint> endpoint = ParseEndpoint(endpoint_url);
  if (!endpoint.ok()) {
    std::fprintf(stderr, "bench: %s\n", endpoint.status().message().c_str());
    return 2;
  }
  config.endpoint = std::move(endpoint).value();
  if (workloads.empty()) {
    std::fprintf(stderr, "bench: no workloads given\n");
    return 2;
  }
  for (const auto& w : workloads) {
    if (!IsWorkload(w)) {
      std::fprintf(stderr, "bench: unknown workload %s\n%s", w.c_str(), kUsage);
      return 2;
    }
  }

  // With --server-bin, the server runs as this process's child for the whole run.
  std::unique_ptr<ServerProcess> server;
  if (!server_bin.empty()) {
    if (config.data_dir.empty()) {
      std::fprintf(stderr, "bench: --server-bin needs --data-dir\n");
      return 2;
    }
    server = std::make_unique<ServerProcess>(server_bin, config.data_dir, server_args, config.endpoint);
    Result<int64_t> started = server->Start({}, static_cast<int64_t>(config.scale_timeout_s * 1e9));
    if (!started.ok()) {
      std::fprintf(stderr, "bench: starting %s: %s\n", server_bin.c_str(), started.status().message().c_str());
      return 1;
    }
    config.server = server.get();
  }

  // Header: the exact command line, then the parameters that shape the figures.
  std::string command = "sluice";
  for (int i = 0; i < argc; ++i) command += std::string(" ") + argv[i];
  char date[64];
  std::time_t t = std::time(nullptr);
  std::strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  std::printf("# %s\n", command.c_str());
  std::printf("# date %s  endpoint %s  shards %d  record %d B  batch %d  duration %.1f s  records %lld\n", date,
              endpoint_url.c_str(), config.shards, config.record_size, config.batch, config.duration_s,
              static_cast<long long>(config.records));
  std::printf("# %-12s %11s %-10s %13s  %16s  %16s  %16s  %18s  %16s  %s\n", "workload", "rate", "unit", "data",
              "latency p50", "p90", "p99", "p99.9", "max", "errors");
  std::fflush(stdout);

  int rc = 0;
  for (const auto& w : workloads) {
    WorkloadResult result;
    if (!RunWorkload(w, config, &result)) rc = 1;
    PrintResult(w, result);
  }
  return rc;
}

}  // namespace sluice::bench
