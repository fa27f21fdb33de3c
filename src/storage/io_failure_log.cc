#include "storage/io_failure_log.h"

#include "util/log.h"
#include "util/rate_limiter.h"

namespace sluice::storage {

void LogIoFailure(IoFailure kind, const Status& status) {
  static RateLimiter limiters[static_cast<int>(IoFailure::kRead) + 1];
  uint64_t suppressed = 0;
  if (!limiters[static_cast<int>(kind)].Allow(&suppressed)) return;
  if (suppressed == 0) {
    log::Warn("storage: {}", status.message());
  } else {
    log::Warn("storage: {} ({} more like it in the last second not logged)", status.message(), suppressed);
  }
}

}  // namespace sluice::storage
