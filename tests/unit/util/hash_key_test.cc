#include "util/hash_key.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(HashKey, PartitionKeyHashIsBigEndianMd5) {
  // MD5("a") = 0cc175b9c0f1b6a831c399e269772661
  EXPECT_EQ(HashKeyToString(HashKeyForPartitionKey("a")), "16955237001963240173058271559858726497");
}

TEST(HashKey, FormatsExtremes) {
  EXPECT_EQ(HashKeyToString(0), "0");
  EXPECT_EQ(HashKeyToString(kMaxHashKey), "340282366920938463463374607431768211455");
}

TEST(HashKey, ParseRoundTripsAndRejectsOverflow) {
  auto max = ParseHashKey("340282366920938463463374607431768211455");
  ASSERT_TRUE(max.ok()) << max.status().ToString();
  EXPECT_EQ(*max, kMaxHashKey);
  EXPECT_EQ(ParseHashKey("340282366920938463463374607431768211456").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseHashKey("").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseHashKey("12a").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(*ParseHashKey("42"), HashKey{42});
}

}  // namespace
}  // namespace sluice
