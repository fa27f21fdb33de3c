#include "util/atomic_histogram.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(AtomicHistogramTest, BucketsAreInclusiveUpperBounds) {
  AtomicHistogram h({10, 20});
  for (uint64_t v : {0, 10, 11, 20, 21, 1000}) h.Observe(v);
  HistogramSnapshot s = h.Read();
  EXPECT_EQ(s.bounds, (std::vector<uint64_t>{10, 20}));
  EXPECT_EQ(s.counts, (std::vector<uint64_t>{2, 2, 2}));
  EXPECT_EQ(s.sum, 1062u);
  EXPECT_EQ(s.count(), 6u);
}

TEST(AtomicHistogramTest, ConcurrentObserversLoseNothing) {
  AtomicHistogram h(AtomicHistogram::LatencyMicrosBounds());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h] {
      for (int i = 0; i < 100000; ++i) h.Observe(static_cast<uint64_t>(i % 3000));
    });
  }
  for (auto& t : threads) t.join();
  HistogramSnapshot s = h.Read();
  EXPECT_EQ(s.count(), 400000u);
  uint64_t expected_sum = 0;
  for (int i = 0; i < 100000; ++i) expected_sum += static_cast<uint64_t>(i % 3000);
  EXPECT_EQ(s.sum, 4 * expected_sum);
}

}  // namespace
}  // namespace sluice
