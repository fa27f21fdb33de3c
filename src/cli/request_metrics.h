// RequestMetrics: API requests counted by operation and outcome, and their
// latency per operation, for GET /metrics.
//
// Recording a successful request costs two relaxed atomic additions and a
// histogram bucket (no lock); an error takes a mutex to count its (status,
// __type) pair, which is the rare path.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "metrics/exposition.h"
#include "util/atomic_histogram.h"

namespace sluice::cli {

class RequestMetrics {
 public:
  RequestMetrics();

  // The operation index of an X-Amz-Target ("Kinesis_20131202.PutRecords"),
  // or the index of "unknown" for anything else.
  int OperationIndex(std::string_view target) const;
  const std::string& OperationName(int operation) const { return operations_[operation]->name; }
  // One finished request: its HTTP status, its error __type (empty on
  // success) and how long it took.
  void Record(int operation, int status, std::string_view error_type, int64_t micros);

  // Adds sluice_requests_total and sluice_request_duration_seconds.
  void AddTo(metrics::Exposition& out) const;

 private:
  struct Operation {
    std::string name;
    std::atomic<uint64_t> ok{0};  // status 200
    AtomicHistogram latency_us{AtomicHistogram::LatencyMicrosBounds()};
  };
  std::vector<std::unique_ptr<Operation>> operations_;  // the model's, then "unknown"
  mutable std::mutex errors_mu_;
  std::map<std::tuple<int, int, std::string>, uint64_t> errors_;  // (operation, status, type); guarded
};

}  // namespace sluice::cli
