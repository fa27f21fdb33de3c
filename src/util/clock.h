// Time sources. Code that needs "now" takes a Clock& so tests can inject one.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace sluice {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock milliseconds since the Unix epoch.
  virtual int64_t NowMillis() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t NowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  static SystemClock& Instance() {
    static SystemClock c;
    return c;
  }
};

// The system clock shifted by a fixed offset: `sluice serve --clock-offset-ms`,
// which lets end-to-end tests see a server restarted "hours later".
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(int64_t offset_ms) : offset_ms_(offset_ms) {}
  int64_t NowMillis() const override { return SystemClock::Instance().NowMillis() + offset_ms_; }

 private:
  int64_t offset_ms_;
};

// A clock tests move by hand. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms) : now_(start_ms) {}
  int64_t NowMillis() const override { return now_.load(); }
  void Advance(int64_t ms) { now_ += ms; }
  void Set(int64_t ms) { now_ = ms; }

 private:
  std::atomic<int64_t> now_;
};

// Monotonic nanoseconds, for timeouts and latency measurement.
inline int64_t MonotonicNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Monotonic milliseconds, for deadlines and back-off.
inline int64_t MonotonicMillis() { return MonotonicNanos() / 1000000; }

}  // namespace sluice
