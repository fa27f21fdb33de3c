#include "protocol/json_writer.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(JsonWriterTest, EscapesQuotesBackslashesAndControlCharacters) {
  std::string out;
  JsonWriter w(&out);
  w.String(std::string_view("a\"b\\c\n\t\x01\x1f\0", 10));
  EXPECT_EQ(out, R"("a\"b\\c\n\t\u0001\u001f\u0000")");
}

TEST(JsonWriterTest, PassesUtf8Through) {
  std::string out;
  JsonWriter w(&out);
  w.String("h\xc3\xa9llo \xe2\x82\xac");
  EXPECT_EQ(out, "\"h\xc3\xa9llo \xe2\x82\xac\"");
}

TEST(JsonWriterTest, TimestampsHaveExactlyThreeDecimals) {
  std::string out;
  AppendEpochSeconds(&out, 1506440188749);
  EXPECT_EQ(out, "1506440188.749");
  out.clear();
  AppendEpochSeconds(&out, 1506440188000);
  EXPECT_EQ(out, "1506440188.000");
  out.clear();
  AppendEpochSeconds(&out, 5);
  EXPECT_EQ(out, "0.005");
  out.clear();
  AppendEpochSeconds(&out, -1);
  EXPECT_EQ(out, "-1.999");
}

TEST(JsonWriterTest, LargeTimestampsNeverUseExponents) {
  std::string out;
  AppendEpochSeconds(&out, 253402300799999);  // 9999-12-31T23:59:59.999Z
  EXPECT_EQ(out, "253402300799.999");
}

TEST(JsonWriterTest, WritesNestedStructuresWithCommas) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Member("A", "x");
  w.MemberInt("B", -42);
  w.Key("C");
  w.BeginArray();
  w.Int(1);
  w.BeginObject();
  w.EndObject();
  w.BeginArray();
  w.EndArray();
  w.Bool(false);
  w.Null();
  w.EndArray();
  w.MemberBool("D", true);
  w.Key("T");
  w.TimestampMillis(1000);
  w.EndObject();
  EXPECT_EQ(out, R"({"A":"x","B":-42,"C":[1,{},[],false,null],"D":true,"T":1.000})");
}

TEST(JsonWriterTest, BlobsAreBase64) {
  std::string out;
  JsonWriter w(&out);
  w.BeginArray();
  w.Blob("hello");
  w.Blob("");
  w.Blob(std::string_view("\x00\xff", 2));
  w.EndArray();
  EXPECT_EQ(out, R"(["aGVsbG8=","","AP8="])");
}

TEST(JsonWriterTest, AppendsToExistingContent) {
  std::string out = "prefix:";
  JsonWriter w(&out);
  w.BeginObject();
  w.MemberInt("n", 0);
  w.EndObject();
  EXPECT_EQ(out, "prefix:{\"n\":0}");
}

}  // namespace
}  // namespace sluice::protocol
