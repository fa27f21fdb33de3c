// A log-bucketed latency histogram in the manner of HdrHistogram.
//
// Values (nanoseconds, or any non-negative integer) below 128 are counted
// exactly; above that each power of two is split into 64 linear sub-buckets,
// so a reported percentile is within 1/64 (1.6%) of the true value and never
// above the recorded maximum. Recording is a few instructions and never
// allocates. Not thread-safe: give each thread its own and Merge().
#pragma once

#include <array>
#include <cstdint>

namespace sluice::bench {

class Histogram {
 public:
  static constexpr int kSubBucketBits = 6;  // 64 sub-buckets
  static constexpr int kSubBuckets = 1 << kSubBucketBits;
  static constexpr int kExactLimit = 2 * kSubBuckets;  // 128: exact below
  static constexpr int kBucketCount = kExactLimit + (62 - kSubBucketBits) * kSubBuckets;

  Histogram() { Clear(); }

  // Counts one value; negative values count as 0.
  void Record(int64_t value);
  void Merge(const Histogram& other);
  void Clear();

  uint64_t count() const { return count_; }
  int64_t min() const { return count_ ? min_ : 0; }
  int64_t max() const { return count_ ? max_ : 0; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }

  // The smallest recorded-bucket value v such that at least `p` percent of
  // values are <= v (to within the bucket width), clamped to [min, max].
  // p is in [0, 100]; an empty histogram answers 0.
  int64_t Percentile(double p) const;

  // Bucket helpers, exposed for tests.
  static int BucketIndex(int64_t value);
  static int64_t BucketLowest(int index);
  static int64_t BucketHighest(int index);

 private:
  std::array<uint64_t, kBucketCount> counts_;
  uint64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  __int128 sum_ = 0;
};

}  // namespace sluice::bench
