#include "bench/paced_producer.h"

#include <algorithm>
#include <cstring>

#include "bench/json_scan.h"
#include "bench/requests.h"
#include "bench/workload_support.h"
#include "util/base64.h"

namespace sluice::bench {
namespace {

constexpr size_t kPartitionKeys = 256;
constexpr unsigned char kStampMagic = 0xb5;
constexpr size_t kStampChars = 12;  // base64 of kStampBytes
constexpr int64_t kNotStartedPollNs = 1'000'000;
constexpr int kRecordsPerProducer = 250;
constexpr int kMinProducers = 8;
constexpr int kMaxProducers = 64;

static_assert(kStampChars == (kStampBytes + 2) / 3 * 4);

// "shardId-000000000003" -> 3; -1 if it does not look like that.
int ShardIndexOf(std::string_view shard_id) {
  const size_t dash = shard_id.rfind('-');
  if (dash == std::string_view::npos || dash + 1 >= shard_id.size()) return -1;
  int64_t v = 0;
  for (char ch : shard_id.substr(dash + 1)) {
    if (ch < '0' || ch > '9' || v > 1'000'000) return -1;
    v = v * 10 + (ch - '0');
  }
  return static_cast<int>(v);
}

}  // namespace

int PacedProducerConnections(const BenchConfig& c) {
  if (c.connections > 0) return c.connections;
  return std::clamp(c.rate / kRecordsPerProducer, kMinProducers, kMaxProducers);
}

void WriteStamp(int64_t sent_ns, std::string* data) {
  std::memcpy(data->data(), &sent_ns, 8);
  (*data)[8] = static_cast<char>(kStampMagic);
}

bool ReadStamp(std::string_view data_b64, int64_t* sent_ns) {
  char stamp[kStampBytes + 3];
  size_t len = 0;
  if (data_b64.size() < kStampChars ||
      base64::Decode(data_b64.substr(0, kStampChars), stamp, &len).error != base64::DecodeError::kNone) {
    return false;
  }
  return ReadRawStamp(std::string_view(stamp, len), sent_ns);
}

bool ReadRawStamp(std::string_view data, int64_t* sent_ns) {
  if (data.size() < kStampBytes || static_cast<unsigned char>(data[8]) != kStampMagic) return false;
  std::memcpy(sent_ns, data.data(), 8);
  return true;
}

StampScan RecordStampedLatencies(std::string_view json, int64_t now_ns, Histogram* latency) {
  StampScan scan;
  size_t from = 0;
  std::string_view b64;
  while (json::ScanRawString(json, "Data", &from, &b64)) {
    int64_t sent = 0;
    if (!ReadStamp(b64, &sent)) {
      ++scan.foreign;
      continue;
    }
    latency->Record(now_ns - sent);
    ++scan.stamped;
  }
  return scan;
}

PacedProducer::PacedProducer(const BenchConfig& c, std::string stream, int connections)
    : produced_by_shard(static_cast<size_t>(std::max(c.shards, 1)), 0),
      c_(c),
      stream_(std::move(stream)),
      interval_ns_(kSecond / std::max(c.rate, 1)),
      data_(MakeRandomData(static_cast<size_t>(c.record_size), 5)),
      keys_(MakePartitionKeys(kPartitionKeys, 6)),
      conns_(static_cast<size_t>(std::max(connections, 1))) {
  if (data_.size() < kStampBytes) data_.resize(kStampBytes);
  b64_.resize(base64::EncodedSize(data_.size()));
}

void PacedProducer::Start(int64_t start_ns, int64_t end_ns) {
  start_ = start_ns;
  end_ = end_ns;
}

Next PacedProducer::NextRequest(int conn, int64_t now) {
  if (!started()) return {{}, now + kNotStartedPollNs};
  if (now >= end_) return {};
  const int64_t due = start_ + static_cast<int64_t>(issued) * interval_ns_;
  if (now < due) return {{}, due};
  ++issued;
  ++inflight;
  // Only the first 12 base64 characters change from record to record.
  WriteStamp(now, &data_);
  base64::Encode(data_.data(), data_.size(), b64_.data());
  Conn& s = conns_[conn];
  s.body.clear();
  s.body.append("{\"StreamName\":\"").append(stream_).append("\",\"Data\":\"");
  s.body.append(b64_).append("\",\"PartitionKey\":\"").append(keys_[issued % keys_.size()]);
  s.body.append("\"}");
  s.request.clear();
  AppendHttpRequest(&s.request, c_.endpoint.host_header, "PutRecord", s.body);
  return {s.request, 0};
}

void PacedProducer::OnResponse(int, const ResponseParser& r, int64_t latency_ns) {
  --inflight;
  put_latency.Record(latency_ns);
  if (r.status() != 200) {
    ++errors;
    return;
  }
  ++produced;
  size_t from = 0;
  std::string_view shard_id;
  if (json::ScanRawString(r.body(), "ShardId", &from, &shard_id)) {
    const int shard = ShardIndexOf(shard_id);
    if (shard >= 0 && static_cast<size_t>(shard) < produced_by_shard.size()) ++produced_by_shard[shard];
  }
}

void PacedProducer::OnTransportError(int, std::string_view what) {
  --inflight;
  ++errors;
  last_error.assign(what);
}

}  // namespace sluice::bench
