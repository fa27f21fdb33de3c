// RequestMetrics: API requests counted by operation and outcome, and their
// latency per operation, for GET /metrics. The operations are the services'
// (Service::operations), added before counting; a call to any other name is
// counted as "unknown".
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

namespace sluice::gateway {

class RequestMetrics {
 public:
  RequestMetrics();

  // Adds a service's operations; returns the service's number for
  // OperationIndex. Not thread-safe: call before counting.
  int AddService(const std::vector<std::string>& operations);
  // The index of `operation` of service `service`, or of "unknown" when the
  // service has no such operation (or `service` is -1: no service).
  int OperationIndex(int service, std::string_view operation) const;
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
  static constexpr int kUnknown = 0;
  std::vector<std::unique_ptr<Operation>> operations_;             // "unknown", then each service's
  std::vector<std::map<std::string, int, std::less<>>> services_;  // operation name -> index
  mutable std::mutex errors_mu_;
  std::map<std::tuple<int, int, std::string>, uint64_t> errors_;  // (operation, status, type); guarded
};

}  // namespace sluice::gateway
