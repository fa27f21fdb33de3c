#include "util/rate_limiter.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(RateLimiterTest, FirstCallIsAdmittedWithNothingSuppressed) {
  RateLimiter limiter(1000);
  uint64_t suppressed = 99;
  EXPECT_TRUE(limiter.AllowAt(5, &suppressed));
  EXPECT_EQ(suppressed, 0u);
}

TEST(RateLimiterTest, CallsWithinTheIntervalAreRefusedAndCounted) {
  RateLimiter limiter(1000);
  uint64_t suppressed = 0;
  ASSERT_TRUE(limiter.AllowAt(0, &suppressed));
  EXPECT_FALSE(limiter.AllowAt(1, &suppressed));
  EXPECT_FALSE(limiter.AllowAt(999, &suppressed));
  EXPECT_TRUE(limiter.AllowAt(1000, &suppressed));
  EXPECT_EQ(suppressed, 2u);
}

TEST(RateLimiterTest, SuppressedCountResetsAfterEachAdmittedCall) {
  RateLimiter limiter(10);
  uint64_t suppressed = 0;
  ASSERT_TRUE(limiter.AllowAt(0, &suppressed));
  EXPECT_FALSE(limiter.AllowAt(5, &suppressed));
  ASSERT_TRUE(limiter.AllowAt(10, &suppressed));
  ASSERT_EQ(suppressed, 1u);
  ASSERT_TRUE(limiter.AllowAt(20, &suppressed));
  EXPECT_EQ(suppressed, 0u);
}

}  // namespace
}  // namespace sluice
