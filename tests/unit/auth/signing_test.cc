#include "auth/signing.h"

#include <gtest/gtest.h>

#include "auth/amz_date.h"
#include "hex_test_util.h"

namespace sluice::auth {
namespace {

using sluice::testing::ToHex;

TEST(Sha256Hex, EmptyInputIsTheWellKnownDigest) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(SigningKey, MatchesTheDerivedKeyOfAwsDocumentationExample) {
  // The worked example of AWS's SigV4 documentation (IAM, 2012-02-15).
  EXPECT_EQ(ToHex(SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam")),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(StringToSign, HasFourLinesEndingWithTheCanonicalRequestHash) {
  EXPECT_EQ(StringToSign("20261124T223000Z", "20261124/us-east-1/kinesis/aws4_request", ""),
            "AWS4-HMAC-SHA256\n20261124T223000Z\n20261124/us-east-1/kinesis/aws4_request\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(SignaturesEqual, ComparesLengthAndEveryByte) {
  EXPECT_TRUE(SignaturesEqual("abcd", "abcd"));
  EXPECT_FALSE(SignaturesEqual("abcd", "abce"));
  EXPECT_FALSE(SignaturesEqual("abcd", "abc"));
  EXPECT_FALSE(SignaturesEqual("", "a"));
}

TEST(AmzDate, ParsesAndFormatsIsoBasic) {
  EXPECT_EQ(ParseAmzDate("20261124T223000Z").value(), 1795559400);
  EXPECT_EQ(ParseAmzDate("19700101T000000Z").value(), 0);
  EXPECT_EQ(FormatAmzDate(1795559400), "20261124T223000Z");
  EXPECT_EQ(FormatAmzDate(0), "19700101T000000Z");
  EXPECT_EQ(FormatAmzDate(951782400), "20000229T000000Z");  // leap day
  EXPECT_EQ(ParseAmzDate("20000229T000000Z").value(), 951782400);
}

TEST(AmzDate, RejectsMalformedDates) {
  EXPECT_FALSE(ParseAmzDate("2026-11-24T22:30:00Z").ok());
  EXPECT_FALSE(ParseAmzDate("20261124T223000").ok());
  EXPECT_FALSE(ParseAmzDate("20261324T223000Z").ok());  // month 13
  EXPECT_FALSE(ParseAmzDate("20250229T000000Z").ok());  // not a leap year
  EXPECT_FALSE(ParseAmzDate("20261124T243000Z").ok());
  EXPECT_FALSE(ParseAmzDate("2026112xT223000Z").ok());
}

TEST(HttpDate, ParsesImfFixdate) {
  EXPECT_EQ(ParseHttpDate("Tue, 24 Nov 2026 22:30:00 GMT").value(), 1795559400);
  EXPECT_FALSE(ParseHttpDate("Tue, 24 Foo 2026 22:30:00 GMT").ok());
  EXPECT_FALSE(ParseHttpDate("Tue, 24 Nov 2026 22:30:00 UTC").ok());
  EXPECT_FALSE(ParseHttpDate("20261124T223000Z").ok());
}

}  // namespace
}  // namespace sluice::auth
