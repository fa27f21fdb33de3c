#include "util/crc32c.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

TEST(Crc32c, MatchesStandardCheckValue) { EXPECT_EQ(crc32c::Value("123456789", 9), 0xE3069283u); }

TEST(Crc32c, MatchesRfc3720Vectors) {
  std::string zeros(32, '\0');
  EXPECT_EQ(crc32c::Value(zeros.data(), zeros.size()), 0x8A9136AAu);
  std::string ones(32, '\xff');
  EXPECT_EQ(crc32c::Value(ones.data(), ones.size()), 0x62A8AB43u);
}

TEST(Crc32c, ExtendEqualsWholeValue) {
  std::string s = "hello, sluice: a streaming data server";
  uint32_t whole = crc32c::Value(s.data(), s.size());
  for (size_t split = 0; split <= s.size(); ++split) {
    uint32_t part = crc32c::Extend(crc32c::Value(s.data(), split), s.data() + split, s.size() - split);
    EXPECT_EQ(part, whole) << split;
  }
}

}  // namespace
}  // namespace sluice
