// e2e: a PutRecord producer paced at --rate records/s for --duration
// seconds and a GetRecords reader per shard polling all the while (waiting
// --poll-ms after an empty answer). Each record's data starts with its send
// time, so the reader measures put-to-get latency record by record.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "bench/json_scan.h"
#include "bench/requests.h"
#include "bench/workload_support.h"
#include "util/base64.h"
#include "util/clock.h"

namespace sluice::bench {
namespace {

constexpr int64_t kE2eGraceNs = 10 * kSecond;
constexpr size_t kPartitionKeys = 256;
// e2e data starts with 8 bytes of send time (little endian) and this byte.
constexpr unsigned char kStampMagic = 0xb5;
constexpr size_t kStampBytes = 9;  // encodes to exactly 12 base64 characters

class E2eHandler final : public LoopHandler {
 public:
  E2eHandler(const BenchConfig& c, const std::string& stream, int producers,
             std::vector<std::string> iterators, int64_t start, int64_t produce_end)
      : c_(c), stream_(stream), producers_(producers), start_(start), produce_end_(produce_end),
        interval_ns_(kSecond / std::max(c.rate, 1)),
        data_(MakeRandomData(static_cast<size_t>(c.record_size), 5)),
        keys_(MakePartitionKeys(kPartitionKeys, 6)),
        conns_(static_cast<size_t>(producers) + iterators.size()) {
    for (size_t i = 0; i < iterators.size(); ++i) conns_[producers + i].iterator = std::move(iterators[i]);
    if (data_.size() < kStampBytes) data_.resize(kStampBytes);
    b64_.resize(base64::EncodedSize(data_.size()));
  }

  Next NextRequest(int conn, int64_t now) override {
    Conn& s = conns_[conn];
    if (conn < producers_) {
      if (now >= produce_end_) return {};
      const int64_t due = start_ + static_cast<int64_t>(issued) * interval_ns_;
      if (now < due) return {{}, due};
      ++issued;
      ++inflight;
      // Stamp the send time into the data; only the first 12 base64 characters change.
      std::memcpy(data_.data(), &now, 8);
      data_[8] = static_cast<char>(kStampMagic);
      base64::Encode(data_.data(), data_.size(), b64_.data());
      s.body.clear();
      s.body.append("{\"StreamName\":\"").append(stream_).append("\",\"Data\":\"");
      s.body.append(b64_).append("\",\"PartitionKey\":\"").append(keys_[issued % keys_.size()]);
      s.body.append("\"}");
      s.request.clear();
      AppendHttpRequest(&s.request, c_.endpoint.host_header, "PutRecord", s.body);
      return {s.request, 0};
    }
    if (s.done) return {};
    if (s.poll_at > now) return {{}, s.poll_at};
    s.body.clear();
    AppendGetRecordsBody(&s.body, s.iterator, c_.get_limit);
    s.request.clear();
    AppendHttpRequest(&s.request, c_.endpoint.host_header, "GetRecords", s.body);
    return {s.request, 0};
  }

  void OnResponse(int conn, const ResponseParser& r, int64_t now, int64_t) override {
    Conn& s = conns_[conn];
    if (conn < producers_) {
      --inflight;
      if (r.status() == 200) {
        ++produced;
      } else {
        ++put_errors;
      }
      return;
    }
    if (r.status() != 200) {
      ++get_errors;
      s.poll_at = now + std::max<int64_t>(c_.poll_ms, 1) * 1'000'000;
      return;
    }
    size_t from = 0, n = 0;
    std::string_view b64;
    unsigned char stamp[kStampBytes + 3];
    while (json::ScanRawString(r.body(), "Data", &from, &b64)) {
      ++n;
      size_t len = 0;
      if (b64.size() < 12 ||
          base64::Decode(b64.substr(0, 12), reinterpret_cast<char*>(stamp), &len).error !=
              base64::DecodeError::kNone ||
          len != kStampBytes || stamp[8] != kStampMagic) {
        ++foreign;
        continue;
      }
      int64_t sent = 0;
      std::memcpy(&sent, stamp, 8);
      latency.Record(now - sent);
      ++received;
    }
    if (!json::ScanString(r.body(), "NextShardIterator", &s.iterator)) s.done = true;
    s.poll_at = n == 0 && c_.poll_ms > 0 ? now + int64_t{c_.poll_ms} * 1'000'000 : 0;
  }

  void OnTransportError(int conn, std::string_view what) override {
    if (conn < producers_) {
      --inflight;
      ++put_errors;
    } else {
      ++get_errors;
    }
    last_error.assign(what);
  }

  bool Done(int64_t now) override {
    if (now < produce_end_ || inflight > 0) return false;
    return received >= produced || now >= produce_end_ + kE2eGraceNs;
  }

  Histogram latency;
  uint64_t issued = 0;
  int64_t inflight = 0;
  uint64_t produced = 0;
  uint64_t received = 0;
  uint64_t foreign = 0;
  uint64_t put_errors = 0;
  uint64_t get_errors = 0;
  std::string last_error;

 private:
  struct Conn {
    std::string iterator;
    std::string body;
    std::string request;
    int64_t poll_at = 0;
    bool done = false;
  };
  const BenchConfig& c_;
  std::string stream_;
  int producers_;
  int64_t start_;
  int64_t produce_end_;
  int64_t interval_ns_;
  std::string data_;
  std::string b64_;
  std::vector<std::string> keys_;
  std::vector<Conn> conns_;
};

}  // namespace

bool RunE2e(const BenchConfig& c, WorkloadResult* out) {
  ScopedStream stream(c, "e2e");
  if (!stream.ok()) return out->failure = stream.error(), false;
  std::string error;
  std::vector<std::string> iterators(static_cast<size_t>(c.shards));
  for (int i = 0; i < c.shards; ++i) {
    if (!stream.admin().GetShardIterator(stream.name(), ShardIdOf(i), "TRIM_HORIZON", &iterators[i],
                                         &error)) {
      return out->failure = error, false;
    }
  }
  // Paced, so idle producers cost nothing; several keep the rate when a
  // slow server's latency exceeds the interval between records.
  const int producers = c.connections > 0 ? c.connections : 8;
  LoadLoop loop(c.endpoint, producers + c.shards);
  if (!loop.Open(&error)) return out->failure = error, false;
  const int64_t start = MonotonicNanos();
  const int64_t produce_end = start + static_cast<int64_t>(c.duration_s * kSecond);
  E2eHandler handler(c, stream.name(), producers, std::move(iterators), start, produce_end);
  if (!loop.Run(&handler, produce_end + kE2eGraceNs + kSecond, &error)) {
    return out->failure = error, false;
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
  const uint64_t missing = handler.produced > seen ? handler.produced - seen : 0;
  out->errors = handler.put_errors + handler.get_errors + missing + handler.foreign;
  char note[300];
  std::snprintf(note, sizeof(note),
                "target %d records/s (%.0f due); put %" PRIu64 ", got %" PRIu64 " (%" PRIu64
                " missing, %" PRIu64 " unreadable), poll-ms %d%s%s",
                c.rate, c.rate * c.duration_s, handler.produced, handler.received, missing,
                handler.foreign, c.poll_ms,
                handler.last_error.empty() ? "" : "; last error: ", handler.last_error.c_str());
  out->note = note;
  return true;
}

}  // namespace sluice::bench
