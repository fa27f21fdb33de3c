#include "util/token_bucket.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace sluice {
namespace {

TEST(TokenBucket, StartsFullAndRefusesWhatItDoesNotHold) {
  TokenBucket b(1000, 1000, 0);
  EXPECT_TRUE(b.TryTake(600, 0));
  EXPECT_FALSE(b.TryTake(401, 0));  // 400 left
  EXPECT_TRUE(b.TryTake(400, 0));
  EXPECT_FALSE(b.TryTake(1, 0));
  EXPECT_DOUBLE_EQ(b.Available(0), 0);
}

TEST(TokenBucket, RefillsAtItsRateUpToTheCapacity) {
  TokenBucket b(1000, 1000, 0);  // one token per millisecond
  ASSERT_TRUE(b.TryTake(1000, 0));
  EXPECT_DOUBLE_EQ(b.Available(250), 250);
  EXPECT_FALSE(b.TryTake(300, 250));
  EXPECT_TRUE(b.TryTake(300, 300));
  EXPECT_DOUBLE_EQ(b.Available(100000), 1000);  // never above the capacity
}

TEST(TokenBucket, SustainedDemandGetsExactlyTheRate) {
  // 2,000 requests per second for 10 s against 1,000/s with one second of
  // burst: 1,000 burst + 10,000 flowed in.
  TokenBucket b(1000, 1000, 0);
  int accepted = 0;
  for (int64_t t = 0; t < 10000; t += 1) {
    accepted += b.TryTake(1, t) ? 1 : 0;
    accepted += b.TryTake(1, t) ? 1 : 0;
  }
  EXPECT_EQ(accepted, 1000 + 9999);
}

TEST(TokenBucket, ChargeGoesIntoDebtThatTheFlowRepays) {
  TokenBucket b(2 << 20, 2 << 20, 0);  // 2 MiB/s, 2 MiB
  b.Charge(10 << 20, 0);               // a 10 MiB read
  EXPECT_DOUBLE_EQ(b.Available(0), -(8 << 20));
  EXPECT_EQ(b.MillisUntil(0, 0), 4000);  // 8 MiB of debt at 2 MiB/s
  EXPECT_LT(b.Available(3999), 0);
  EXPECT_GE(b.Available(4000), 0);
}

TEST(TokenBucket, DrainKeepsADebt) {
  TokenBucket b(10, 10, 0);
  b.Drain(0);
  EXPECT_DOUBLE_EQ(b.Available(0), 0);
  b.Charge(5, 0);
  b.Drain(0);
  EXPECT_DOUBLE_EQ(b.Available(0), -5);
}

TEST(TokenBucket, MillisUntilRoundsUpAndKnowsTheImpossible) {
  TokenBucket b(3, 3, 0);  // one token every 333.3 ms
  ASSERT_TRUE(b.TryTake(3, 0));
  EXPECT_EQ(b.MillisUntil(1, 0), 334);
  EXPECT_EQ(b.MillisUntil(4, 0), -1);  // above the capacity
  EXPECT_EQ(b.MillisUntil(0, 0), 0);
  TokenBucket stuck(0, 5, 0);
  ASSERT_TRUE(stuck.TryTake(5, 0));
  EXPECT_EQ(stuck.MillisUntil(1, 0), -1);
}

TEST(TokenBucket, MillisUntilStaysPositiveForATinyRate) {
  // --limit fanout-bytes=1e-300: the wait overflows an int64_t; it must
  // still read as a (very long) wait, not as a garbage or negative one.
  TokenBucket b(1e-300, 1e-300, 0);
  b.Charge(1e6, 0);
  EXPECT_GT(b.MillisUntil(0, 0), int64_t{1} << 40);
}

TEST(TokenBucket, AClockSteppingBackRefillsNothing) {
  TokenBucket b(1000, 1000, 5000);
  ASSERT_TRUE(b.TryTake(1000, 5000));
  EXPECT_DOUBLE_EQ(b.Available(4000), 0);
  EXPECT_DOUBLE_EQ(b.Available(5100), 100);  // from 5000, not from 4000
}

TEST(TokenBucket, ReconfigureKeepsTokensWithinTheNewCapacity) {
  TokenBucket b(1000, 1000, 0);
  b.Reconfigure(4000, 4000, 0);
  EXPECT_DOUBLE_EQ(b.Available(0), 1000);
  EXPECT_DOUBLE_EQ(b.Available(500), 3000);
  b.Reconfigure(100, 200, 500);
  EXPECT_DOUBLE_EQ(b.Available(500), 200);
  EXPECT_DOUBLE_EQ(b.rate_per_second(), 100);
}

TEST(TokenBucket, SweepDropsOnlyFullBucketsOnceTheMapGrew) {
  std::map<std::string, TokenBucket> m;
  size_t sweep_at = 4;
  for (int i = 0; i < 3; ++i) m.try_emplace("k" + std::to_string(i), 1, 1, 0);
  ASSERT_TRUE(m.at("k0").TryTake(1, 0));  // k0 in use: empty until 1000
  SweepFullBuckets(m, 500, &sweep_at, 4);
  EXPECT_EQ(m.size(), 3u) << "below the sweep size: nothing is looked at";
  m.try_emplace("k3", 1, 1, 0);
  SweepFullBuckets(m, 500, &sweep_at, 4);
  EXPECT_EQ(m.size(), 1u) << "the full ones went";
  EXPECT_TRUE(m.count("k0"));
  EXPECT_EQ(sweep_at, 4u) << "twice what is left, at least the minimum";
}

}  // namespace
}  // namespace sluice
