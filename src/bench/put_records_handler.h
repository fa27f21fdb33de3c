// The PutRecords driver shared by the put-records workload (timed) and the
// get workload's load phase (a fixed number of records). Requests are built
// once by MakePutRecords; NextRequest only hands out views of them.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bench/histogram.h"
#include "bench/json_scan.h"
#include "bench/load_loop.h"
#include "bench/workloads.h"

namespace sluice::bench {

class PutRecordsHandler final : public LoopHandler {
 public:
  // requests: full-batch requests used in turn; last_request: the final,
  // partial batch when loading a count that is not a multiple of the batch.
  // total_records < 0: no limit (the run ends at its deadline).
  PutRecordsHandler(std::vector<std::string> requests, size_t batch, int64_t total_records, std::string last_request)
      : requests_(std::move(requests)),
        batch_(batch),
        total_records_(total_records),
        last_request_(std::move(last_request)) {}

  Next NextRequest(int conn, int64_t) override {
    if (static_cast<size_t>(conn) >= inflight_batch_.size()) inflight_batch_.resize(conn + 1, 0);
    if (total_records_ >= 0) {  // fixed count
      if (issued_records_ >= total_records_) return {};
      const int64_t left = total_records_ - issued_records_;
      if (left < static_cast<int64_t>(batch_)) {
        issued_records_ += left;
        inflight_batch_[conn] = static_cast<size_t>(left);
        return {last_request_, 0};
      }
    }
    issued_records_ += static_cast<int64_t>(batch_);
    inflight_batch_[conn] = batch_;
    return {requests_[next_++ % requests_.size()], 0};
  }

  void OnResponse(int conn, const ResponseParser& r, int64_t, int64_t latency_ns) override {
    latency.Record(latency_ns);
    const size_t sent = inflight_batch_[conn];
    if (r.status() != 200) {
      ++errors;
      failed_records += sent;
      return;
    }
    int64_t failed = 0;
    if (!json::ScanInt(r.body(), "FailedRecordCount", &failed)) failed = 0;
    if (failed > 0) {
      ++errors;
      failed_records += static_cast<uint64_t>(failed);
    }
    ok_records += sent - static_cast<uint64_t>(std::clamp<int64_t>(failed, 0, sent));
    ++responses;
  }

  void OnTransportError(int conn, std::string_view what) override {
    ++errors;
    failed_records += inflight_batch_[conn];
    last_error.assign(what);
  }

  // Results, read after the run.
  Histogram latency;        // per request
  uint64_t ok_records = 0;  // acknowledged without error
  uint64_t failed_records = 0;
  uint64_t responses = 0;
  uint64_t errors = 0;
  std::string last_error;

 private:
  std::vector<std::string> requests_;
  size_t batch_;
  int64_t total_records_;  // < 0: unlimited (timed)
  std::string last_request_;
  std::vector<size_t> inflight_batch_;
  int64_t issued_records_ = 0;
  size_t next_ = 0;
};

// Builds the handler's requests for `stream`: up to 16 distinct bodies of
// c.batch records (c.record_size random bytes, base64-encoded once; random
// partition keys), and a final partial batch when total_records is not a
// multiple of the batch. total_records < 0 means no limit (a timed run).
std::unique_ptr<PutRecordsHandler> MakePutRecords(const BenchConfig& c, const std::string& stream,
                                                  int64_t total_records, uint64_t seed);

}  // namespace sluice::bench
