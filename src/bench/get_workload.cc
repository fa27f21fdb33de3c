// get: load --records with PutRecords (not timed), then drain them with
// GetRecords from TRIM_HORIZON, one reader (connection) per shard, and
// check that the count drained equals the count loaded.
#include <cinttypes>
#include <cstdio>

#include "bench/json_scan.h"
#include "bench/put_records_handler.h"
#include "bench/requests.h"
#include "bench/workload_support.h"
#include "util/clock.h"

namespace sluice::bench {
namespace {

constexpr int64_t kLoadTimeoutNs = 1200 * kSecond;
constexpr int64_t kDrainTimeoutNs = 600 * kSecond;
// Consecutive empty GetRecords on a shard before the drain gives up on it.
constexpr int kMaxEmptyPolls = 5;
constexpr int kMaxErrorsPerShard = 100;
// Delay before retrying a GetRecords that failed (e.g. throttled).
constexpr int64_t kRetryDelayNs = 10'000'000;

class DrainHandler final : public LoopHandler {
 public:
  DrainHandler(const Endpoint& ep, std::vector<std::string> iterators, int limit, uint64_t expected)
      : ep_(ep), limit_(limit), expected_(expected), shards_(iterators.size()) {
    for (size_t i = 0; i < iterators.size(); ++i) shards_[i].iterator = std::move(iterators[i]);
  }

  Next NextRequest(int conn, int64_t now) override {
    Shard& s = shards_[conn];
    if (s.done || drained >= expected_) return {};
    if (s.retry_at > now) return {{}, s.retry_at};
    s.body.clear();
    AppendGetRecordsBody(&s.body, s.iterator, limit_);
    s.request.clear();
    AppendHttpRequest(&s.request, ep_.host_header, "GetRecords", s.body);
    return {s.request, 0};
  }

  void OnResponse(int conn, const ResponseParser& r, int64_t now, int64_t latency_ns) override {
    Shard& s = shards_[conn];
    latency.Record(latency_ns);
    s.retry_at = 0;
    if (r.status() != 200) {
      // Throttled or failed: count it and retry the same iterator shortly.
      ++errors;
      if (++s.errors >= kMaxErrorsPerShard) s.done = true;
      s.retry_at = now + kRetryDelayNs;
      return;
    }
    const size_t n = json::CountKey(r.body(), "SequenceNumber");
    drained += n;
    if (n > 0 && drained >= expected_ && finish_ns == 0) finish_ns = now;
    s.empty_polls = n == 0 ? s.empty_polls + 1 : 0;
    if (s.empty_polls >= kMaxEmptyPolls) s.done = true;
    if (!json::ScanString(r.body(), "NextShardIterator", &s.iterator)) s.done = true;  // shard end
  }

  void OnTransportError(int conn, std::string_view what) override {
    ++errors;
    last_error.assign(what);
    if (++shards_[conn].errors >= kMaxErrorsPerShard) shards_[conn].done = true;
  }

  bool Done(int64_t) override { return drained >= expected_; }

  Histogram latency;
  uint64_t drained = 0;
  uint64_t errors = 0;
  int64_t finish_ns = 0;
  std::string last_error;

 private:
  struct Shard {
    std::string iterator;
    std::string body;
    std::string request;
    int64_t retry_at = 0;
    int empty_polls = 0;
    int errors = 0;
    bool done = false;
  };
  const Endpoint& ep_;
  int limit_;
  uint64_t expected_;
  std::vector<Shard> shards_;
};

}  // namespace

bool RunGet(const BenchConfig& c, WorkloadResult* out) {
  ScopedStream stream(c, "get");
  if (!stream.ok()) return out->failure = stream.error(), false;

  // Load (not timed).
  auto loader = MakePutRecords(c, stream.name(), c.records, 4);
  const int64_t load_start = MonotonicNanos();
  {
    LoadLoop loop(c.endpoint, c.connections > 0 ? c.connections : 8);
    Status loaded = loop.Open();
    if (loaded.ok()) loaded = loop.Run(loader.get(), load_start + kLoadTimeoutNs);
    if (!loaded.ok()) return out->failure = "load: " + loaded.message(), false;
  }
  const double load_s = Seconds(MonotonicNanos() - load_start);
  const uint64_t loaded = loader->ok_records;
  if (c.rss_pid > 0) out->rss_kb = ReadVmRssKb(c.rss_pid);

  // Drain (timed).
  std::vector<std::string> iterators(static_cast<size_t>(c.shards));
  for (int i = 0; i < c.shards; ++i) {
    Result<std::string> it = stream.admin().GetShardIterator(stream.name(), ShardIdOf(i), "TRIM_HORIZON");
    if (!it.ok()) return out->failure = it.status().message(), false;
    iterators[i] = std::move(it).value();
  }
  DrainHandler drain(c.endpoint, std::move(iterators), c.get_limit, loaded);
  LoadLoop loop(c.endpoint, c.shards);
  if (Status opened = loop.Open(); !opened.ok()) return out->failure = opened.message(), false;
  const CpuMeter cpu;
  const int64_t start = MonotonicNanos();
  if (Status ran = loop.Run(&drain, start + kDrainTimeoutNs); !ran.ok()) {
    return out->failure = ran.message(), false;
  }
  const int64_t end = drain.finish_ns ? drain.finish_ns : MonotonicNanos();
  const std::string cpu_used = cpu.Percent();
  const double elapsed = Seconds(end - start);

  out->ran = true;
  out->unit = "records/s";
  out->rate = static_cast<double>(drain.drained) / elapsed;
  out->mb_per_s = out->rate * c.record_size / 1e6;
  out->latency = drain.latency;
  const bool complete = drain.drained == loaded && loaded == static_cast<uint64_t>(c.records);
  out->errors = drain.errors + loader->errors + (complete ? 0 : 1);
  char note[300];
  std::snprintf(note, sizeof(note),
                "drained %" PRIu64 " of %" PRIu64
                " loaded (%s), %s; load took %.1f s (%.0f "
                "records/s, %" PRIu64 " load errors)%s%s",
                drain.drained, loaded, complete ? "verified" : "MISMATCH", cpu_used.c_str(), load_s,
                static_cast<double>(loaded) / load_s, loader->errors,
                drain.last_error.empty() ? "" : "; last error: ", drain.last_error.c_str());
  out->note = note;
  return true;
}

}  // namespace sluice::bench
