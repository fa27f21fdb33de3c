#include "bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace sluice::bench {

// Layout: indexes [0, 128) hold values 0..127 exactly. For v >= 128 with
// highest set bit e (>= 7), shift = e - 6 keeps the top 7 bits of v, whose
// value m lies in [64, 128); the index is 128 + (shift - 1) * 64 + (m - 64).
int Histogram::BucketIndex(int64_t value) {
  if (value < kExactLimit) return value < 0 ? 0 : static_cast<int>(value);
  const auto v = static_cast<uint64_t>(value);
  const int e = 63 - std::countl_zero(v);
  const int shift = e - kSubBucketBits;
  const int m = static_cast<int>(v >> shift);
  return kExactLimit + (shift - 1) * kSubBuckets + (m - kSubBuckets);
}

int64_t Histogram::BucketLowest(int index) {
  if (index < kExactLimit) return index;
  const int rel = index - kExactLimit;
  const int shift = rel / kSubBuckets + 1;
  const int64_t m = rel % kSubBuckets + kSubBuckets;
  return m << shift;
}

int64_t Histogram::BucketHighest(int index) {
  if (index < kExactLimit) return index;
  if (index == kBucketCount - 1) return std::numeric_limits<int64_t>::max();
  return BucketLowest(index + 1) - 1;
}

void Histogram::Record(int64_t value) {
  if (value < 0) value = 0;
  ++counts_[BucketIndex(value)];
  if (count_ == 0 || value < min_) min_ = value;
  if (count_ == 0 || value > max_) max_ = value;
  ++count_;
  sum_ += value;
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (int i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  if (count_ == 0 || other.min_ < min_) min_ = other.min_;
  if (count_ == 0 || other.max_ > max_) max_ = other.max_;
  count_ += other.count_;
  sum_ += other.sum_;
}

void Histogram::Clear() {
  counts_.fill(0);
  count_ = 0;
  min_ = max_ = 0;
  sum_ = 0;
}

int64_t Histogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  auto rank = static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<uint64_t>(rank, 1, count_);
  uint64_t seen = 0;
  for (int i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(BucketHighest(i), min_, max_);
  }
  return max_;
}

}  // namespace sluice::bench
