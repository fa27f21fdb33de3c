// What the client sub-commands print and parse.
#include "cli/output.h"

#include <gtest/gtest.h>

namespace sluice::cli {
namespace {

client::Record Sample() {
  client::Record r;
  r.shard_id = "shardId-000000000001";
  r.sequence_number = "4968";
  r.partition_key = "user-1";
  r.data = std::string("hi\n\x01", 4);
  r.arrival_ms = 1795559400250;
  return r;
}

TEST(FormatRecord, RawIsTheDataAndANewline) {
  EXPECT_EQ(FormatRecord(RecordFormat::kRaw, Sample()), std::string("hi\n\x01\n", 5));
}

TEST(FormatRecord, JsonIsOneObjectALineWithBase64Data) {
  EXPECT_EQ(FormatRecord(RecordFormat::kJson, Sample()),
            "{\"ShardId\":\"shardId-000000000001\",\"SequenceNumber\":\"4968\",\"PartitionKey\":\"user-1\","
            "\"ApproximateArrivalTimestamp\":1795559400.250,\"Data\":\"aGkKAQ==\"}\n");
}

TEST(FormatRecord, HexNamesTheRecordAndHexesTheData) {
  EXPECT_EQ(FormatRecord(RecordFormat::kHex, Sample()), "shardId-000000000001 4968 user-1 68690a01\n");
}

TEST(FormatTable, PadsColumnsToTheWidestCell) {
  EXPECT_EQ(FormatTable({"A", "LONG HEADER"}, {{"wide cell", "x"}, {"b", ""}}),
            "A          LONG HEADER\n"
            "wide cell  x\n"
            "b\n");
}

TEST(ParseTime, AcceptsEpochSecondsIsoAndAges) {
  const int64_t now = 1795559400000;
  EXPECT_EQ(ParseTime("1795559400", now), 1795559400000);
  EXPECT_EQ(ParseTime("1795559400.25", now), 1795559400250);
  EXPECT_EQ(ParseTime("2026-11-24T22:30:00Z", now), 1795559400000);
  EXPECT_EQ(ParseTime("2026-11-24T22:30:00.5Z", now), 1795559400500);
  EXPECT_EQ(ParseTime("2026-11-24 22:30:00", now), 1795559400000);
  EXPECT_EQ(ParseTime("-30s", now), now - 30000);
  EXPECT_EQ(ParseTime("-5m", now), now - 300000);
  EXPECT_EQ(ParseTime("-2h", now), now - 7200000);
  EXPECT_EQ(ParseTime("-1d", now), now - 86400000);
  EXPECT_FALSE(ParseTime("", now));
  EXPECT_FALSE(ParseTime("yesterday", now));
  EXPECT_FALSE(ParseTime("-5y", now));
  EXPECT_FALSE(ParseTime("2026-13-24T22:30:00Z", now));
  EXPECT_FALSE(ParseTime("2026-11-24T22:30:00+01:00", now));
  EXPECT_FALSE(ParseTime("1.2.3", now));
}

TEST(FormatTime, IsIsoUtcWithMilliseconds) { EXPECT_EQ(FormatTime(1795559400250), "2026-11-24T22:30:00.250Z"); }

TEST(KeyFromJsonField, ReadsStringsAndNumbersOfObjects) {
  EXPECT_EQ(KeyFromJsonField(R"({"user":"ann","n":1})", "user"), "ann");
  EXPECT_EQ(KeyFromJsonField(R"({"user":"ann","n":17})", "n"), "17");
  EXPECT_EQ(KeyFromJsonField(R"({"ok":true})", "ok"), "true");
  EXPECT_FALSE(KeyFromJsonField(R"({"user":"ann"})", "missing"));
  EXPECT_FALSE(KeyFromJsonField(R"({"user":{"a":1}})", "user"));
  EXPECT_FALSE(KeyFromJsonField(R"(["user"])", "user"));
  EXPECT_FALSE(KeyFromJsonField("plain text", "user"));
}

TEST(MiddleHashKey, SplitsARangeInTwoEqualHalves) {
  EXPECT_EQ(MiddleHashKey("0", "340282366920938463463374607431768211455"), "170141183460469231731687303715884105728");
  EXPECT_EQ(MiddleHashKey("0", "1"), "1");
  EXPECT_EQ(MiddleHashKey("10", "19"), "15");
  EXPECT_FALSE(MiddleHashKey("5", "5"));
  EXPECT_FALSE(MiddleHashKey("x", "9"));
}

TEST(ShardIdFromArg, TakesAnIndexOrAnIdAsItIs) {
  EXPECT_EQ(ShardIdFromArg("9"), "shardId-000000000009");
  EXPECT_EQ(ShardIdFromArg("000000000012"), "shardId-000000000012");
  EXPECT_EQ(ShardIdFromArg("shardId-000000000003"), "shardId-000000000003");
  EXPECT_EQ(ShardIdFromArg("banana"), "banana");
  EXPECT_EQ(ShardIdFromArg("-1"), "-1");
  EXPECT_EQ(ShardIdFromArg("1234567890123"), "1234567890123");
}

TEST(WrittenSoFar, NamesTheCountAndTheFirstUnwrittenLine) {
  EXPECT_EQ(WrittenSoFar(1200, 1201, 0), "1200 records were written, the first unwritten is line 1201");
  EXPECT_EQ(WrittenSoFar(1, 2, 0), "1 record was written, the first unwritten is line 2");
  EXPECT_EQ(WrittenSoFar(0, 1, 0), "0 records were written, the first unwritten is line 1");
}

TEST(WrittenSoFar, SaysWhenLinesAfterTheFirstUnwrittenOneWereWritten) {
  EXPECT_EQ(WrittenSoFar(1235, 1201, 35),
            "1235 records were written, the first unwritten is line 1201 (35 lines after it were written too)");
  EXPECT_EQ(WrittenSoFar(1201, 1201, 1),
            "1201 records were written, the first unwritten is line 1201 (1 line after it was written too)");
}

}  // namespace
}  // namespace sluice::cli