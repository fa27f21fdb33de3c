#include "cli/request_metrics.h"

#include "api/operation_table.h"

namespace sluice::cli {
namespace {
constexpr std::string_view kTargetPrefix = "Kinesis_20131202.";
}  // namespace

RequestMetrics::RequestMetrics() {
  for (const api::OperationEntry& op : api::AllOperations()) {
    operations_.push_back(std::make_unique<Operation>());
    operations_.back()->name = std::string(op.name);
  }
  operations_.push_back(std::make_unique<Operation>());
  operations_.back()->name = "unknown";
}

int RequestMetrics::OperationIndex(std::string_view target) const {
  const int unknown = static_cast<int>(operations_.size()) - 1;
  if (target.substr(0, kTargetPrefix.size()) != kTargetPrefix) return unknown;
  const api::OperationEntry* op = api::FindOperation(target.substr(kTargetPrefix.size()));
  if (op == nullptr) return unknown;
  return static_cast<int>(op - api::AllOperations().data());
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
  auto next_error = errors.begin();
  for (size_t i = 0; i < operations_.size(); ++i) {
    const Operation& op = *operations_[i];
    const uint64_t ok = op.ok.load(std::memory_order_relaxed);
    if (ok > 0) requests.Add({{"operation", op.name}, {"status", "200"}, {"error", ""}}, ok);
    for (; next_error != errors.end() && std::get<0>(next_error->first) == static_cast<int>(i); ++next_error) {
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
  for (const auto& op : operations_) {
    HistogramSnapshot h = op->latency_us.Read();
    if (h.count() == 0) continue;
    latency.AddHistogram({{"operation", op->name}}, h, 1e-6);
  }
}

}  // namespace sluice::cli
