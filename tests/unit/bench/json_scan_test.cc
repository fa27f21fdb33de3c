#include "bench/json_scan.h"

#include <gtest/gtest.h>

namespace sluice::bench::json {
namespace {

TEST(JsonScanTest, ReadsStringMember) {
  std::string out;
  EXPECT_TRUE(ScanString(R"({"StreamDescriptionSummary":{"StreamStatus":"ACTIVE"}})", "StreamStatus", &out));
  EXPECT_EQ(out, "ACTIVE");
}

TEST(JsonScanTest, ToleratesWhitespaceAroundColon) {
  std::string out;
  EXPECT_TRUE(ScanString("{ \"NextShardIterator\" :\n \"AAAA/BBB=\" }", "NextShardIterator", &out));
  EXPECT_EQ(out, "AAAA/BBB=");
}

TEST(JsonScanTest, DecodesEscapes) {
  std::string out;
  EXPECT_TRUE(ScanString(R"({"K":"a\/b\"c\\d\u0041"})", "K", &out));
  EXPECT_EQ(out, "a/b\"c\\dA");
}

TEST(JsonScanTest, NullOrMissingIsAbsent) {
  std::string out;
  EXPECT_FALSE(ScanString(R"({"NextShardIterator":null})", "NextShardIterator", &out));
  EXPECT_FALSE(ScanString(R"({"Other":"x"})", "NextShardIterator", &out));
}

TEST(JsonScanTest, QuotedWordAsValueIsNotAKey) {
  std::string out;
  EXPECT_TRUE(ScanString(R"({"A":"StreamStatus","StreamStatus":"CREATING"})", "StreamStatus", &out));
  EXPECT_EQ(out, "CREATING");
}

TEST(JsonScanTest, ReadsIntegers) {
  int64_t v = -1;
  EXPECT_TRUE(ScanInt(R"({"FailedRecordCount":0,"Records":[]})", "FailedRecordCount", &v));
  EXPECT_EQ(v, 0);
  EXPECT_TRUE(ScanInt(R"({"FailedRecordCount": 17})", "FailedRecordCount", &v));
  EXPECT_EQ(v, 17);
  EXPECT_FALSE(ScanInt(R"({"FailedRecordCount":"x"})", "FailedRecordCount", &v));
}

TEST(JsonScanTest, CountsKeysNotPrefixes) {
  const char* body = R"({"Records":[{"SequenceNumber":"1","Data":"AA=="},{"SequenceNumber":"2","Data":"AB=="}],)"
                     R"("StartingSequenceNumber":"0","NextShardIterator":"it"})";
  EXPECT_EQ(CountKey(body, "SequenceNumber"), 2u);
  EXPECT_EQ(CountKey(body, "Data"), 2u);
  EXPECT_EQ(CountKey(body, "Missing"), 0u);
}

TEST(JsonScanTest, RawStringsInSequence) {
  const std::string body = R"([{"Data":"AA=="},{"Data":"QUJD"},{"Data":"e\"x"}])";
  size_t from = 0;
  std::string_view v;
  ASSERT_TRUE(ScanRawString(body, "Data", &from, &v));
  EXPECT_EQ(v, "AA==");
  ASSERT_TRUE(ScanRawString(body, "Data", &from, &v));
  EXPECT_EQ(v, "QUJD");
  ASSERT_TRUE(ScanRawString(body, "Data", &from, &v));
  EXPECT_EQ(v, "e\\\"x");
  EXPECT_FALSE(ScanRawString(body, "Data", &from, &v));
}

}  // namespace
}  // namespace sluice::bench::json
