// RateLimiter: lets one event through per interval and counts the rest, for
// log lines about failures that can repeat thousands of times a second (a
// full disk, an exhausted descriptor table): one line a second per kind of
// failure, saying how many like it were suppressed since the last one.
//
//   static RateLimiter limiter;
//   if (uint64_t suppressed; limiter.Allow(&suppressed)) {
//     log::Warn("storage: {} ({} more suppressed)", status.ToString(), suppressed);
//   }
//
// Threading: thread-safe and lock-free; Allow() costs one atomic load when
// it refuses within the interval and a compare-exchange when it admits.
#pragma once

#include <atomic>
#include <cstdint>

#include "util/clock.h"

namespace sluice {

class RateLimiter {
 public:
  explicit RateLimiter(int64_t interval_ms = 1000) : interval_ms_(interval_ms) {}

  // True for the first call, then for the first call at least interval_ms
  // after the last admitted one. On true, *suppressed is the count of
  // refused calls since the last admitted one (and is reset).
  bool Allow(uint64_t* suppressed) { return AllowAt(MonotonicMillis(), suppressed); }
  // Allow() at a given monotonic time in milliseconds (for tests).
  bool AllowAt(int64_t now_ms, uint64_t* suppressed) {
    int64_t last = last_ms_.load(std::memory_order_relaxed);
    if ((last != kNever && now_ms - last < interval_ms_) ||
        !last_ms_.compare_exchange_strong(last, now_ms, std::memory_order_relaxed)) {
      suppressed_.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    *suppressed = suppressed_.exchange(0, std::memory_order_relaxed);
    return true;
  }

 private:
  static constexpr int64_t kNever = INT64_MIN;
  const int64_t interval_ms_;
  std::atomic<int64_t> last_ms_{kNever};
  std::atomic<uint64_t> suppressed_{0};
};

}  // namespace sluice
