#include "bench/requests.h"

#include <gtest/gtest.h>

#include "bench/json_scan.h"

namespace sluice::bench {
namespace {

TEST(RequestsTest, HttpRequestCarriesKinesisHeadersAndExactLength) {
  const std::string body = R"({"StreamName":"s"})";
  const std::string r = HttpRequest("127.0.0.1:4567", "DescribeStreamSummary", body);
  const size_t head_end = r.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  const std::string head = r.substr(0, head_end);
  EXPECT_EQ(head.rfind("POST / HTTP/1.1\r\n", 0), 0u);
  EXPECT_NE(head.find("\r\nHost: 127.0.0.1:4567"), std::string::npos);
  EXPECT_NE(head.find("\r\nContent-Type: application/x-amz-json-1.1"), std::string::npos);
  EXPECT_NE(head.find("\r\nX-Amz-Target: Kinesis_20131202.DescribeStreamSummary"), std::string::npos);
  EXPECT_NE(head.find("\r\nX-Amz-Date: "), std::string::npos);
  EXPECT_NE(head.find("\r\nAuthorization: AWS4-HMAC-SHA256 Credential="), std::string::npos);
  EXPECT_NE(head.find("\r\nContent-Length: " + std::to_string(body.size())), std::string::npos);
  EXPECT_EQ(r.substr(head_end + 4), body);
}

TEST(RequestsTest, PutRecordsBodyHasOneEntryPerRecord) {
  const auto keys = MakePartitionKeys(10, 1);
  const std::string body = PutRecordsBody("stream", "QUJD", keys, 7, 25);
  EXPECT_EQ(json::CountKey(body, "Data"), 25u);
  EXPECT_EQ(json::CountKey(body, "PartitionKey"), 25u);
  std::string first_key;
  ASSERT_TRUE(json::ScanString(body, "PartitionKey", &first_key));
  EXPECT_EQ(first_key, keys[7]);  // keys are taken from first_key on, wrapping
  EXPECT_EQ(body.front(), '{');
  EXPECT_EQ(body.substr(body.size() - 2), "]}");
}

TEST(RequestsTest, PartitionKeysAndDataAreReproducible) {
  EXPECT_EQ(MakePartitionKeys(5, 42), MakePartitionKeys(5, 42));
  EXPECT_NE(MakePartitionKeys(5, 42), MakePartitionKeys(5, 43));
  EXPECT_EQ(MakePartitionKeys(3, 1)[0].size(), 16u);
  EXPECT_EQ(MakeRandomData(100, 9), MakeRandomData(100, 9));
  EXPECT_EQ(MakeRandomData(100, 9).size(), 100u);
}

TEST(RequestsTest, GetRecordsBodyQuotesTheIterator) {
  std::string body;
  AppendGetRecordsBody(&body, "AAAA/b+c=", 10000);
  EXPECT_EQ(body, R"({"ShardIterator":"AAAA/b+c=","Limit":10000})");
  body.clear();
  AppendGetRecordsBody(&body, "odd\"it", 5);
  std::string it;
  ASSERT_TRUE(json::ScanString(body, "ShardIterator", &it));
  EXPECT_EQ(it, "odd\"it");
}

TEST(RequestsTest, ShardIdsAreZeroPadded) {
  EXPECT_EQ(ShardIdOf(0), "shardId-000000000000");
  EXPECT_EQ(ShardIdOf(12), "shardId-000000000012");
}

TEST(RequestsTest, JsonQuoteEscapes) { EXPECT_EQ(JsonQuote("a\"b\\c\n"), R"("a\"b\\c\u000a")"); }

}  // namespace
}  // namespace sluice::bench
