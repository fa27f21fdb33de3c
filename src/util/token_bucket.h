// A token bucket: `rate` tokens per second flow into a bucket that holds at
// most `capacity`. The time is the caller's (milliseconds from any clock), so
// tests drive it by hand. Not thread-safe: the owner holds its own lock.
//
// Two ways to spend: TryTake refuses what the bucket does not hold (writes:
// a record over the quota is refused, nothing is taken); Charge takes what
// was already spent, which may leave the bucket in debt (reads: the size of a
// GetRecords answer is known only after reading it), and the debt must be
// repaid by the flow before the bucket is positive again.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace sluice {

class TokenBucket {
 public:
  TokenBucket() = default;
  // Starts full.
  TokenBucket(double rate_per_second, double capacity, int64_t now_ms)
      : rate_per_ms_(rate_per_second / 1000.0), capacity_(capacity), tokens_(capacity), last_ms_(now_ms) {}

  // Tokens held at `now_ms` (negative while in debt).
  double Available(int64_t now_ms) {
    Refill(now_ms);
    return tokens_;
  }

  // Takes `amount` if the bucket holds it.
  bool TryTake(double amount, int64_t now_ms) {
    Refill(now_ms);
    if (tokens_ < amount) return false;
    tokens_ -= amount;
    return true;
  }

  // Takes `amount` whatever the bucket holds.
  void Charge(double amount, int64_t now_ms) {
    Refill(now_ms);
    tokens_ -= amount;
  }

  // Empties the bucket (a debt stays).
  void Drain(int64_t now_ms) {
    Refill(now_ms);
    tokens_ = std::min(tokens_, 0.0);
  }

  // Milliseconds from `now_ms` until the bucket holds `amount` (0 when it
  // does; -1 when it never will: the amount is above the capacity or the
  // rate is zero).
  int64_t MillisUntil(double amount, int64_t now_ms) {
    Refill(now_ms);
    if (tokens_ >= amount) return 0;
    if (amount > capacity_ || rate_per_ms_ <= 0) return -1;
    const double ms = std::ceil((amount - tokens_) / rate_per_ms_);
    // A tiny rate can put the wait beyond what an int64_t holds (casting
    // that is undefined): a thousand years is as good as never ending.
    constexpr double kLongest = 1e15;
    return static_cast<int64_t>(std::min(ms, kLongest));
  }

  // A new rate and capacity from `now_ms` on; the tokens held are kept (at
  // most the new capacity).
  void Reconfigure(double rate_per_second, double capacity, int64_t now_ms) {
    Refill(now_ms);
    rate_per_ms_ = rate_per_second / 1000.0;
    capacity_ = capacity;
    tokens_ = std::min(tokens_, capacity_);
  }

  double capacity() const { return capacity_; }
  double rate_per_second() const { return rate_per_ms_ * 1000.0; }

 private:
  void Refill(int64_t now_ms) {
    // A clock that steps back refills nothing (and does not move `last_ms_`
    // back, so the time is not counted twice).
    if (now_ms <= last_ms_) return;
    tokens_ = std::min(capacity_, tokens_ + static_cast<double>(now_ms - last_ms_) * rate_per_ms_);
    last_ms_ = now_ms;
  }

  double rate_per_ms_ = 0;
  double capacity_ = 0;
  double tokens_ = 0;
  int64_t last_ms_ = 0;
};

// For a map of buckets keyed by names callers choose: once it holds
// `*sweep_at` entries, drops the full buckets (a full bucket behaves as a
// new one would, so nothing is forgotten) and sets the next sweep at twice
// what is left, at least `min_sweep`. Call it before adding an entry.
template <typename Map>
void SweepFullBuckets(Map& buckets, int64_t now_ms, size_t* sweep_at, size_t min_sweep = 1024) {
  if (buckets.size() < *sweep_at) return;
  for (auto it = buckets.begin(); it != buckets.end();) {
    if (it->second.Available(now_ms) >= it->second.capacity()) {
      it = buckets.erase(it);
    } else {
      ++it;
    }
  }
  *sweep_at = std::max(min_sweep, 2 * buckets.size());
}

}  // namespace sluice
