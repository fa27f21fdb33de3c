// e2e: a PutRecord producer paced at --rate records/s for --duration
// seconds and a GetRecords reader per shard polling all the while (waiting
// --poll-ms after an empty answer). Each record's data starts with its send
// time (paced_producer.h), so the reader measures put-to-get latency record
// by record.
#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include "bench/json_scan.h"
#include "bench/paced_producer.h"
#include "bench/requests.h"
#include "bench/workload_support.h"
#include "util/clock.h"

namespace sluice::bench {
namespace {

constexpr int64_t kE2eGraceNs = 10 * kSecond;

// Connections [0, producers) are the PacedProducer's; one GetRecords reader
// per shard follows.
class E2eHandler final : public LoopHandler {
 public:
  E2eHandler(const BenchConfig& c, const std::string& stream, int producers, std::vector<std::string> iterators)
      : producer(c, stream, producers), c_(c), readers_(iterators.size()) {
    for (size_t i = 0; i < iterators.size(); ++i) readers_[i].iterator = std::move(iterators[i]);
  }

  Next NextRequest(int conn, int64_t now) override {
    if (producer.owns(conn)) return producer.NextRequest(conn, now);
    Reader& s = readers_[conn - producer.connections()];
    if (s.done) return {};
    if (s.poll_at > now) return {{}, s.poll_at};
    s.body.clear();
    AppendGetRecordsBody(&s.body, s.iterator, c_.get_limit);
    s.request.clear();
    AppendHttpRequest(&s.request, c_.endpoint.host_header, "GetRecords", s.body);
    return {s.request, 0};
  }

  void OnResponse(int conn, const ResponseParser& r, int64_t now, int64_t latency_ns) override {
    if (producer.owns(conn)) return producer.OnResponse(conn, r, latency_ns);
    Reader& s = readers_[conn - producer.connections()];
    if (r.status() != 200) {
      ++get_errors;
      s.poll_at = now + std::max<int64_t>(c_.poll_ms, 1) * 1'000'000;
      return;
    }
    const StampScan scan = RecordStampedLatencies(r.body(), now, &latency);
    received += scan.stamped;
    foreign += scan.foreign;
    if (!json::ScanString(r.body(), "NextShardIterator", &s.iterator)) s.done = true;
    const bool empty = scan.stamped + scan.foreign == 0;
    s.poll_at = empty && c_.poll_ms > 0 ? now + int64_t{c_.poll_ms} * 1'000'000 : 0;
  }

  void OnTransportError(int conn, std::string_view what) override {
    if (producer.owns(conn)) return producer.OnTransportError(conn, what);
    ++get_errors;
    last_error.assign(what);
  }

  bool Done(int64_t now) override {
    if (!producer.Finished(now)) return false;
    return received >= producer.produced || now >= producer.end_ns() + kE2eGraceNs;
  }

  PacedProducer producer;
  Histogram latency;
  uint64_t received = 0;
  uint64_t foreign = 0;
  uint64_t get_errors = 0;
  std::string last_error;

 private:
  struct Reader {
    std::string iterator;
    std::string body;
    std::string request;
    int64_t poll_at = 0;
    bool done = false;
  };
  const BenchConfig& c_;
  std::vector<Reader> readers_;
};

}  // namespace

bool RunE2e(const BenchConfig& c, WorkloadResult* out) {
  ScopedStream stream(c, "e2e");
  if (!stream.ok()) return out->failure = stream.error(), false;
  std::vector<std::string> iterators(static_cast<size_t>(c.shards));
  for (int i = 0; i < c.shards; ++i) {
    Result<std::string> it = stream.admin().GetShardIterator(stream.name(), ShardIdOf(i), "TRIM_HORIZON");
    if (!it.ok()) return out->failure = it.status().message(), false;
    iterators[i] = std::move(it).value();
  }
  // Paced, so idle producers cost nothing; several keep the rate when a
  // slow server's latency exceeds the interval between records.
  const int producers = c.connections > 0 ? c.connections : 8;
  LoadLoop loop(c.endpoint, producers + c.shards);
  if (Status opened = loop.Open(); !opened.ok()) return out->failure = opened.message(), false;
  const int64_t start = MonotonicNanos();
  const int64_t produce_end = start + static_cast<int64_t>(c.duration_s * kSecond);
  E2eHandler handler(c, stream.name(), producers, std::move(iterators));
  handler.producer.Start(start, produce_end);
  if (Status ran = loop.Run(&handler, produce_end + kE2eGraceNs + kSecond); !ran.ok()) {
    return out->failure = ran.message(), false;
  }
  const double elapsed = Seconds(produce_end - start);
  out->ran = true;
  out->unit = "records/s";
  out->rate = static_cast<double>(handler.received) / elapsed;
  out->mb_per_s = out->rate * c.record_size / 1e6;
  out->latency = handler.latency;
  // Records read back without a valid stamp count once, as "unreadable", not
  // also as missing.
  const uint64_t seen = handler.received + handler.foreign;
  const uint64_t produced = handler.producer.produced;
  const uint64_t missing = produced > seen ? produced - seen : 0;
  out->errors = handler.producer.errors + handler.get_errors + missing + handler.foreign;
  const std::string& last_error = handler.last_error.empty() ? handler.producer.last_error : handler.last_error;
  char note[300];
  std::snprintf(note, sizeof(note),
                "target %d records/s (%.0f due); put %" PRIu64 ", got %" PRIu64 " (%" PRIu64 " missing, %" PRIu64
                " unreadable), poll-ms %d%s%s",
                c.rate, c.rate * c.duration_s, produced, handler.received, missing, handler.foreign, c.poll_ms,
                last_error.empty() ? "" : "; last error: ", last_error.c_str());
  out->note = note;
  return true;
}

}  // namespace sluice::bench
