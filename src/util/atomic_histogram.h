// AtomicHistogram: a fixed-bucket histogram of unsigned integer samples
// (microseconds, counts) that any thread may add to. Observe() is two relaxed
// atomic additions and a search over the bucket bounds: no lock, so it may sit
// on a hot path. Read() copies the counts for a reader (a metrics scrape);
// a snapshot taken while others observe may be a few samples behind, but its
// counts never go backwards.
#pragma once

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <vector>

namespace sluice {

struct HistogramSnapshot {
  std::vector<uint64_t> bounds;  // inclusive upper bounds, ascending
  std::vector<uint64_t> counts;  // per bucket, not cumulative; one more than bounds (the overflow)
  uint64_t sum = 0;              // of every sample
  uint64_t count() const;
};

class AtomicHistogram {
 public:
  // `bounds`: inclusive upper bounds, strictly ascending; samples above the
  // last go to an overflow bucket.
  explicit AtomicHistogram(std::initializer_list<uint64_t> bounds);
  explicit AtomicHistogram(std::vector<uint64_t> bounds);
  AtomicHistogram(const AtomicHistogram&) = delete;
  AtomicHistogram& operator=(const AtomicHistogram&) = delete;

  void Observe(uint64_t value);
  HistogramSnapshot Read() const;

  // Bounds for latencies in microseconds: 100 µs to 10 s.
  static std::vector<uint64_t> LatencyMicrosBounds();

 private:
  std::vector<uint64_t> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<uint64_t> sum_{0};
};

}  // namespace sluice
