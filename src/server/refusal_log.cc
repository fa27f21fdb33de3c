#include "server/refusal_log.h"

#include "util/log.h"
#include "util/rate_limiter.h"

namespace sluice::server {
namespace {

RateLimiter& LimiterFor(int status) {
  static RateLimiter over_budget, late_body, other;
  if (status == 503) return over_budget;
  if (status == 408) return late_body;
  return other;
}

}  // namespace

void LogRefusal(std::string_view who, int status, std::string_view message) {
  uint64_t suppressed = 0;
  if (!LimiterFor(status).Allow(&suppressed)) return;
  log::Warn("{}: answering {}: {} ({} more answered {} since the last such line)", who, status, message, suppressed,
            status);
}

void LogStalledStreamEnded(std::string_view who, std::string_view action, int64_t idle_ms, const MemoryBudget& budget,
                           size_t unsent) {
  static RateLimiter limiter;
  uint64_t suppressed = 0;
  if (!limiter.Allow(&suppressed)) return;
  log::Warn(
      "{}: {} a streamed response whose client has read nothing for {} ms while the server's buffered "
      "bytes ({}) exceed --max-buffered-bytes ({}); {} bytes were unsent ({} more cut off since the last "
      "such line)",
      who, action, idle_ms, budget.used(), budget.limit(), unsent, suppressed);
}

}  // namespace sluice::server
