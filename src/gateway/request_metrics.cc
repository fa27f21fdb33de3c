#include "gateway/request_metrics.h"

#include <climits>

namespace sluice::gateway {

RequestMetrics::RequestMetrics() {
  operations_.push_back(std::make_unique<Operation>());
  operations_.back()->name = "unknown";
}

int RequestMetrics::AddService(const std::vector<std::string>& operations) {
  std::map<std::string, int, std::less<>>& names = services_.emplace_back();
  for (const std::string& name : operations) {
    names.emplace(name, static_cast<int>(operations_.size()));
    operations_.push_back(std::make_unique<Operation>());
    operations_.back()->name = name;
  }
  return static_cast<int>(services_.size()) - 1;
}

int RequestMetrics::OperationIndex(int service, std::string_view operation) const {
  if (service < 0 || service >= static_cast<int>(services_.size())) return kUnknown;
  auto it = services_[service].find(operation);
  return it == services_[service].end() ? kUnknown : it->second;
}

void RequestMetrics::Record(int operation, int status, std::string_view error_type, int64_t micros) {
  Operation& op = *operations_[operation];
  op.latency_us.Observe(micros < 0 ? 0 : static_cast<uint64_t>(micros));
  if (status == 200 && error_type.empty()) {
    op.ok.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  std::lock_guard lock(errors_mu_);
  ++errors_[{operation, status, std::string(error_type)}];
}

void RequestMetrics::AddTo(metrics::Exposition& out) const {
  metrics::Family& requests =
      out.Declare("sluice_requests_total",
                  "API requests by operation (X-Amz-Target), HTTP status (0: connection dropped by a fault rule) "
                  "and error __type (empty on success).",
                  metrics::MetricType::kCounter);
  std::map<std::tuple<int, int, std::string>, uint64_t> errors;
  {
    std::lock_guard lock(errors_mu_);
    errors = errors_;
  }
  // The services' operations in the order added, then "unknown".
  std::vector<int> order;
  for (int i = 1; i < static_cast<int>(operations_.size()); ++i) order.push_back(i);
  order.push_back(kUnknown);
  for (const int i : order) {
    const Operation& op = *operations_[i];
    const uint64_t ok = op.ok.load(std::memory_order_relaxed);
    if (ok > 0) requests.Add({{"operation", op.name}, {"status", "200"}, {"error", ""}}, ok);
    auto next_error = errors.lower_bound({i, INT_MIN, std::string()});
    for (; next_error != errors.end() && std::get<0>(next_error->first) == i; ++next_error) {
      requests.Add({{"operation", op.name},
                    {"status", std::to_string(std::get<1>(next_error->first))},
                    {"error", std::get<2>(next_error->first)}},
                   next_error->second);
    }
  }
  metrics::Family& latency = out.Declare(
      "sluice_request_duration_seconds",
      "Time from a request's arrival at the gateway to its response (PutRecords: once durable), by operation.",
      metrics::MetricType::kHistogram);
  for (const int i : order) {
    const Operation& op = *operations_[i];
    HistogramSnapshot h = op.latency_us.Read();
    if (h.count() == 0) continue;
    latency.AddHistogram({{"operation", op.name}}, h, 1e-6);
  }
}

}  // namespace sluice::gateway
