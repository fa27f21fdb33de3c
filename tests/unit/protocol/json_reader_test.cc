#include "protocol/json_reader.h"

#include <gtest/gtest.h>

#include <limits>

namespace sluice::protocol {
namespace {

JsonObject Parse(std::string_view body) {
  auto r = ParseJsonRequest(body);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : JsonObject();
}

void ExpectSerialization(const Status& st, std::string_view message) {
  EXPECT_EQ(st.code(), ErrorCode::kSerialization) << st.ToString();
  EXPECT_EQ(st.message(), message);
}

TEST(JsonReaderTest, MalformedOrNonObjectBodiesAreSerializationErrorsWithoutMessage) {
  for (std::string_view body : {"{", "[]", "\"x\"", "12", "null", "{\"a\":}", "nope"}) {
    auto r = ParseJsonRequest(body);
    ASSERT_FALSE(r.ok()) << body;
    EXPECT_EQ(r.status().code(), ErrorCode::kSerialization);
    EXPECT_EQ(r.status().message(), "");
  }
}

TEST(JsonReaderTest, StringTypeErrors) {
  JsonObject o = Parse(R"({"N":1,"B":true,"L":[],"S":{},"Z":null,"Ok":"v"})");
  std::optional<std::string_view> v;
  ExpectSerialization(
      o.GetString("N", &v),
      "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String");
  ExpectSerialization(o.GetString("B", &v), "class java.lang.Boolean can not be converted to an String");
  ExpectSerialization(o.GetString("L", &v), "Start of list found where not expected");
  ExpectSerialization(o.GetString("S", &v), "Start of structure or map found where not expected.");
  ASSERT_TRUE(o.GetString("Z", &v).ok());
  EXPECT_FALSE(v.has_value());
  ASSERT_TRUE(o.GetString("Missing", &v).ok());
  EXPECT_FALSE(v.has_value());
  ASSERT_TRUE(o.GetString("Ok", &v).ok());
  EXPECT_EQ(v, "v");
}

TEST(JsonReaderTest, IntegersAreFlooredAndClamped) {
  JsonObject o = Parse(R"({"F":2.9,"Neg":-1.5,"Big":1e20,"Huge":99999999999,"S":"1","B":false})");
  std::optional<int64_t> v;
  ASSERT_TRUE(o.GetInteger("F", &v).ok());
  EXPECT_EQ(v, 2);
  ASSERT_TRUE(o.GetInteger("Neg", &v).ok());
  EXPECT_EQ(v, -2);
  ASSERT_TRUE(o.GetInteger("Big", &v).ok());
  EXPECT_EQ(v, 2147483647);
  ASSERT_TRUE(o.GetInteger("Huge", &v).ok());
  EXPECT_EQ(v, 2147483647);
  ASSERT_TRUE(o.GetLong("Huge", &v).ok());
  EXPECT_EQ(v, 99999999999);
  ExpectSerialization(o.GetInteger("S", &v), "class java.lang.String can not be converted to an Integer");
  ExpectSerialization(o.GetLong("S", &v), "class java.lang.String can not be converted to an Long");
  ExpectSerialization(o.GetInteger("B", &v), "class java.lang.Boolean can not be converted to an Integer");
}

TEST(JsonReaderTest, NumbersBeyondSixtyFourBitsAreClampedNotRejected) {
  JsonObject o = Parse(R"({"S":"99999999999999999999 1e400","Big":99999999999999999999999,)"
                       R"("Neg":-99999999999999999999,"Inf":1e400,"NegInf":-1e400})");
  std::optional<int64_t> v;
  ASSERT_TRUE(o.GetInteger("Big", &v).ok());
  EXPECT_EQ(v, 2147483647);
  ASSERT_TRUE(o.GetLong("Big", &v).ok());
  EXPECT_EQ(v, std::numeric_limits<int64_t>::max());
  ASSERT_TRUE(o.GetInteger("Neg", &v).ok());
  EXPECT_EQ(v, -2147483648);
  ASSERT_TRUE(o.GetInteger("Inf", &v).ok());
  EXPECT_EQ(v, 2147483647);
  ASSERT_TRUE(o.GetLong("NegInf", &v).ok());
  EXPECT_EQ(v, std::numeric_limits<int64_t>::min());
  std::optional<std::string_view> s;
  ASSERT_TRUE(o.GetString("S", &s).ok());
  EXPECT_EQ(s, "99999999999999999999 1e400");  // strings are never rewritten
}

TEST(JsonReaderTest, BooleanTypeErrors) {
  JsonObject o = Parse(R"({"S":"yes","N":0,"T":true})");
  std::optional<bool> v;
  ExpectSerialization(o.GetBoolean("S", &v), "'YES' can not be converted to an Boolean");
  ExpectSerialization(
      o.GetBoolean("N", &v),
      "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean");
  ASSERT_TRUE(o.GetBoolean("T", &v).ok());
  EXPECT_EQ(v, true);
}

TEST(JsonReaderTest, TimestampsAreEpochSeconds) {
  JsonObject o = Parse(R"({"I":1506440188,"F":1506440188.749,"S":"2017-01-01","B":true})");
  std::optional<int64_t> v;
  ASSERT_TRUE(o.GetTimestampMillis("I", &v).ok());
  EXPECT_EQ(v, 1506440188000);
  ASSERT_TRUE(o.GetTimestampMillis("F", &v).ok());
  EXPECT_EQ(v, 1506440188749);
  ExpectSerialization(o.GetTimestampMillis("S", &v),
                      "class java.lang.String can not be converted to milliseconds since epoch");
  ExpectSerialization(o.GetTimestampMillis("B", &v),
                      "class java.lang.Boolean can not be converted to milliseconds since epoch");
}

TEST(JsonReaderTest, BlobsDecodeStrictly) {
  JsonObject o = Parse(R"({"Ok":"aGVsbG8=","Len":"abc","Char":"ab!d","Last":"aGVsbG9=","N":5,"E":""})");
  ByteArena arena;
  std::optional<std::string_view> v;
  ASSERT_TRUE(o.GetBlob("Ok", &arena, &v).ok());
  EXPECT_EQ(v, "hello");
  ASSERT_TRUE(o.GetBlob("E", &arena, &v).ok());
  EXPECT_EQ(v, "");
  ExpectSerialization(o.GetBlob("Len", &arena, &v),
                      "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes "
                      "but found: 3");
  ExpectSerialization(o.GetBlob("Char", &arena, &v),
                      "'ab!d' can not be converted to a Blob: Invalid Base64 character: '!'");
  ExpectSerialization(o.GetBlob("Last", &arena, &v),
                      "'aGVsbG9=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected");
  ExpectSerialization(o.GetBlob("N", &arena, &v),
                      "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob");
}

TEST(JsonReaderTest, ContainerTypeErrors) {
  JsonObject o = Parse(R"({"S":"x","O":{},"A":[1],"N":3})");
  std::optional<JsonArray> list;
  std::optional<JsonObject> obj;
  ExpectSerialization(o.GetList("S", &list), "Expected list or null");
  ExpectSerialization(o.GetList("O", &list), "Start of structure or map found where not expected.");
  ExpectSerialization(o.GetStructure("N", &obj), "Expected null");
  ExpectSerialization(o.GetStructure("A", &obj), "Start of list found where not expected");
  ExpectSerialization(o.GetMap("S", &obj), "Expected map or null");
  ExpectSerialization(o.GetMap("A", &obj), "Start of list found where not expected");
  ASSERT_TRUE(o.GetList("A", &list).ok());
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(list->size(), 1u);
}

TEST(JsonReaderTest, NullStructureReadsAsEmpty) {
  JsonObject o = Parse(R"({"L":[null,{"K":"v"}]})");
  std::optional<JsonArray> list;
  ASSERT_TRUE(o.GetList("L", &list).ok());
  JsonObject first, second;
  ASSERT_TRUE(list->StructureAt(0, &first).ok());
  ASSERT_TRUE(list->StructureAt(1, &second).ok());
  std::optional<std::string_view> v;
  ASSERT_TRUE(first.GetString("K", &v).ok());
  EXPECT_FALSE(v.has_value());
  ASSERT_TRUE(second.GetString("K", &v).ok());
  EXPECT_EQ(v, "v");
}

TEST(ByteArenaTest, AllocationsDoNotMove) {
  ByteArena arena(64);
  char* a = arena.Allocate(10);
  a[0] = 'x';
  char* big = arena.Allocate(1000);
  big[999] = 'y';
  char* b = arena.Allocate(10);
  b[0] = 'z';
  EXPECT_EQ(a[0], 'x');
  EXPECT_EQ(big[999], 'y');
  EXPECT_EQ(arena.used(), 1020u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace sluice::protocol
