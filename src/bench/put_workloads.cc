// put-records: PutRecords of --batch records for --duration seconds.
// put-record: PutRecord of one record for --duration seconds.
#include <cinttypes>
#include <cstdio>

#include "bench/counting_handler.h"
#include "bench/put_records_handler.h"
#include "bench/requests.h"
#include "bench/workload_support.h"
#include "util/base64.h"
#include "util/clock.h"

namespace sluice::bench {
namespace {

constexpr size_t kPartitionKeys = 8192;
constexpr size_t kPutRecordsVariants = 16;
constexpr size_t kPutRecordVariants = 256;

class PutRecordHandler final : public CountingHandler {
 public:
  explicit PutRecordHandler(std::vector<std::string> requests) : requests_(std::move(requests)) {}
  Next NextRequest(int, int64_t) override { return {requests_[next_++ % requests_.size()], 0}; }

 private:
  std::vector<std::string> requests_;
  size_t next_ = 0;
};

}  // namespace

std::unique_ptr<PutRecordsHandler> MakePutRecords(const BenchConfig& c, const std::string& stream,
                                                  int64_t total_records, uint64_t seed) {
  const std::string data_b64 = base64::Encode(MakeRandomData(static_cast<size_t>(c.record_size), seed));
  const auto keys = MakePartitionKeys(kPartitionKeys, seed + 1);
  const size_t batch = static_cast<size_t>(c.batch);
  // Distinct bodies (different partition keys) used in turn, within ~64 MiB.
  const size_t body_estimate = batch * (data_b64.size() + 48) + 256;
  const size_t variants = std::clamp<size_t>((64u << 20) / body_estimate, 1, kPutRecordsVariants);
  std::vector<std::string> requests;
  for (size_t v = 0; v < variants; ++v) {
    requests.push_back(
        HttpRequest(c.endpoint.host_header, "PutRecords", PutRecordsBody(stream, data_b64, keys, v * batch, batch)));
  }
  std::string last;
  if (total_records > 0 && total_records % static_cast<int64_t>(batch) != 0) {
    const auto last_batch = static_cast<size_t>(total_records % static_cast<int64_t>(batch));
    last = HttpRequest(c.endpoint.host_header, "PutRecords", PutRecordsBody(stream, data_b64, keys, 0, last_batch));
  }
  return std::make_unique<PutRecordsHandler>(std::move(requests), batch, total_records, std::move(last));
}

bool RunPutRecords(const BenchConfig& c, WorkloadResult* out) {
  ScopedStream stream(c, "put-records");
  if (!stream.ok()) return out->failure = stream.error(), false;
  auto handler = MakePutRecords(c, stream.name(), -1, 1);
  LoadLoop loop(c.endpoint, c.connections > 0 ? c.connections : 8);
  if (Status opened = loop.Open(); !opened.ok()) return out->failure = opened.message(), false;
  const CpuMeter cpu;
  const int64_t start = MonotonicNanos();
  const Status ran = loop.Run(handler.get(), start + static_cast<int64_t>(c.duration_s * kSecond));
  const double elapsed = Seconds(MonotonicNanos() - start);
  const std::string cpu_used = cpu.Percent();
  if (!ran.ok()) return out->failure = ran.message(), false;
  out->ran = true;
  out->unit = "records/s";
  out->rate = static_cast<double>(handler->ok_records) / elapsed;
  out->mb_per_s = out->rate * c.record_size / 1e6;
  out->latency = handler->latency;
  out->errors = handler->errors;
  char note[200];
  std::snprintf(note, sizeof(note), "%" PRIu64 " requests of %d, %" PRIu64 " failed records, %s%s%s",
                handler->responses, c.batch, handler->failed_records, cpu_used.c_str(),
                handler->last_error.empty() ? "" : "; last error: ", handler->last_error.c_str());
  out->note = note;
  return true;
}

bool RunPutRecord(const BenchConfig& c, WorkloadResult* out) {
  ScopedStream stream(c, "put-record");
  if (!stream.ok()) return out->failure = stream.error(), false;
  const std::string data_b64 = base64::Encode(MakeRandomData(static_cast<size_t>(c.record_size), 2));
  const auto keys = MakePartitionKeys(kPutRecordVariants, 3);
  std::vector<std::string> requests;
  for (const auto& key : keys) {
    requests.push_back(HttpRequest(c.endpoint.host_header, "PutRecord", PutRecordBody(stream.name(), data_b64, key)));
  }
  PutRecordHandler handler(std::move(requests));
  LoadLoop loop(c.endpoint, c.connections > 0 ? c.connections : 32);
  if (Status opened = loop.Open(); !opened.ok()) return out->failure = opened.message(), false;
  const CpuMeter cpu;
  const int64_t start = MonotonicNanos();
  const Status ran = loop.Run(&handler, start + static_cast<int64_t>(c.duration_s * kSecond));
  const double elapsed = Seconds(MonotonicNanos() - start);
  const std::string cpu_used = cpu.Percent();
  if (!ran.ok()) return out->failure = ran.message(), false;
  out->ran = true;
  out->unit = "requests/s";
  out->rate = static_cast<double>(handler.ok) / elapsed;
  out->mb_per_s = out->rate * c.record_size / 1e6;
  out->latency = handler.latency;
  out->errors = handler.errors;
  out->note = std::to_string(handler.ok) + " records, " + cpu_used +
              (handler.last_error.empty() ? "" : "; last error: " + handler.last_error);
  return true;
}

}  // namespace sluice::bench
