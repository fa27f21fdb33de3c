#include "auth/canonical_request.h"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::auth {
namespace {

TEST(UriEncode, KeepsUnreservedAndEscapesEverythingElseInUpperCaseHex) {
  EXPECT_EQ(UriEncode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a b+c/d*e%", false), "a%20b%2Bc%2Fd%2Ae%25");
  EXPECT_EQ(UriEncode("a/b c", true), "a/b%20c");
  EXPECT_EQ(UriEncode("\xc3\xa9", false), "%C3%A9");
}

TEST(UriDecode, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(UriDecode("a%20b%2fc+d", true), "a b/c d");
  EXPECT_EQ(UriDecode("a+b", false), "a+b");
  EXPECT_EQ(UriDecode("100%", true), "100%");
  EXPECT_EQ(UriDecode("%zz%4", true), "%zz%4");
}

TEST(CanonicalUri, KinesisRootPath) {
  EXPECT_EQ(CanonicalUri(""), "/");
  EXPECT_EQ(CanonicalUri("/"), "/");
}

TEST(CanonicalUri, NormalisesAndEncodesEachSegmentAgain) {
  EXPECT_EQ(CanonicalUri("/a/./b/../c"), "/a/c");
  EXPECT_EQ(CanonicalUri("//a//b/"), "/a/b/");
  EXPECT_EQ(CanonicalUri("/a b/%20"), "/a%20b/%2520");
  EXPECT_EQ(CanonicalUri("/.."), "/");
}

TEST(CanonicalQueryString, SortsByNameThenValueAndReEncodes) {
  EXPECT_EQ(CanonicalQueryString(""), "");
  EXPECT_EQ(CanonicalQueryString("b=2&a=z&a=y&c%20d=e%2Ff"), "a=y&a=z&b=2&c%20d=e%2Ff");
  EXPECT_EQ(CanonicalQueryString("flag&x=1"), "flag=&x=1");
  EXPECT_EQ(CanonicalQueryString("k=a*b~c"), "k=a%2Ab~c");
  // Sorting is by the encoded bytes: upper case before lower case.
  EXPECT_EQ(CanonicalQueryString("a=1&B=2"), "B=2&a=1");
}

TEST(CanonicalQueryString, LeavesOutTheExcludedParameter) {
  EXPECT_EQ(CanonicalQueryString("X-Amz-Signature=abc&X-Amz-Date=1", "X-Amz-Signature"), "X-Amz-Date=1");
}

TEST(CanonicalHeaderValue, TrimsAndCollapsesBlankRuns) {
  EXPECT_EQ(CanonicalHeaderValue("  one   two\tthree  "), "one two three");
  EXPECT_EQ(CanonicalHeaderValue("plain"), "plain");
  EXPECT_EQ(CanonicalHeaderValue("   "), "");
}

TEST(CanonicalHeaders, LowerCasesJoinsRepeatsAndKeepsOnlySignedHeaders) {
  const std::vector<HeaderField> headers = {
      {"Host", "kinesis.us-east-1.amazonaws.com"},
      {"X-Multi", "first"},
      {"User-Agent", "ignored"},
      {"x-multi", "  second  value "},
      {"X-Amz-Date", "20261124T223000Z"},
  };
  EXPECT_EQ(CanonicalHeaders(headers, "host;x-amz-date;x-multi"),
            "host:kinesis.us-east-1.amazonaws.com\nx-amz-date:20261124T223000Z\nx-multi:first,second value\n");
}

TEST(CanonicalHeaders, HostFallsBackToAuthorityAndMissingHeadersAreEmpty) {
  const std::vector<HeaderField> headers = {{":authority", "localhost:4567"}};
  EXPECT_EQ(CanonicalHeaders(headers, "host;x-amz-date"), "host:localhost:4567\nx-amz-date:\n");
}

}  // namespace
}  // namespace sluice::auth
