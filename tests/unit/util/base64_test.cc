#include "util/base64.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice {
namespace {

TEST(Base64, EncodesRfc4648Vectors) {
  EXPECT_EQ(base64::Encode(""), "");
  EXPECT_EQ(base64::Encode("f"), "Zg==");
  EXPECT_EQ(base64::Encode("fo"), "Zm8=");
  EXPECT_EQ(base64::Encode("foo"), "Zm9v");
  EXPECT_EQ(base64::Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64, RoundTripsEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= all.size(); len += 37) {
    std::string in = all.substr(0, len), out;
    ASSERT_TRUE(base64::Decode(base64::Encode(in), &out));
    EXPECT_EQ(out, in);
  }
}

TEST(Base64, RejectsLengthNotMultipleOfFour) {
  char buf[8];
  size_t n;
  EXPECT_EQ(base64::Decode("abc", buf, &n).error, base64::DecodeError::kLength);
}

TEST(Base64, RejectsCharacterOutsideAlphabetAndNamesIt) {
  char buf[8];
  size_t n;
  auto r = base64::Decode("ab!d", buf, &n);
  EXPECT_EQ(r.error, base64::DecodeError::kCharacter);
  EXPECT_EQ(r.bad_char, '!');
}

TEST(Base64, RejectsNonCanonicalLastCharacter) {
  char buf[8];
  size_t n;
  // "Zh==" decodes to 'f' but leaves non-zero unused bits.
  EXPECT_EQ(base64::Decode("Zh==", buf, &n).error, base64::DecodeError::kLastCharacter);
  EXPECT_EQ(base64::Decode("Zm9=", buf, &n).error, base64::DecodeError::kLastCharacter);
  EXPECT_EQ(base64::Decode("Zg==", buf, &n).error, base64::DecodeError::kNone);
}

}  // namespace
}  // namespace sluice
