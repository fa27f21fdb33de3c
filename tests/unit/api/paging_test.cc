// Paging of ListStreams, ListShards and DescribeStream.
#include "api_test_util.h"

namespace sluice::api::testing {
namespace {

std::vector<std::string> Strings(simdjson::dom::array a) {
  std::vector<std::string> out;
  for (auto v : a) out.emplace_back(std::string_view(v));
  return out;
}

std::vector<std::string> ShardIds(simdjson::dom::array a) {
  std::vector<std::string> out;
  for (auto v : a) out.emplace_back(std::string_view(v["ShardId"]));
  return out;
}

TEST_F(ApiTest, ListStreamsPagesWithNextToken) {
  for (const char* n : {"c", "a", "b"}) CreateActiveStream(n, 1);
  Json first(Ok("ListStreams", R"({"Limit":2})"));
  EXPECT_EQ(Strings(first.root["StreamNames"]), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(bool(first.root["HasMoreStreams"]));
  std::string token(std::string_view(first.root["NextToken"]));
  Json second(Ok("ListStreams", R"({"NextToken":")" + token + R"("})"));
  EXPECT_EQ(Strings(second.root["StreamNames"]), (std::vector<std::string>{"c"}));
  EXPECT_FALSE(bool(second.root["HasMoreStreams"]));
  EXPECT_TRUE(second.root["NextToken"].error());
}

TEST_F(ApiTest, ListStreamsExclusiveStartStreamName) {
  for (const char* n : {"a", "b", "c"}) CreateActiveStream(n, 1);
  Json j(Ok("ListStreams", R"({"ExclusiveStartStreamName":"a"})"));
  EXPECT_EQ(Strings(j.root["StreamNames"]), (std::vector<std::string>{"b", "c"}));
}

TEST_F(ApiTest, ListShardsPagesThroughEveryShard) {
  CreateActiveStream("p", 5);
  Json first(Ok("ListShards", R"({"StreamName":"p","MaxResults":2})"));
  EXPECT_EQ(ShardIds(first.root["Shards"]), (std::vector<std::string>{"shardId-000000000000", "shardId-000000000001"}));
  std::string token(std::string_view(first.root["NextToken"]));
  Json second(Ok("ListShards", R"({"NextToken":")" + token + R"(","MaxResults":2})"));
  EXPECT_EQ(ShardIds(second.root["Shards"]),
            (std::vector<std::string>{"shardId-000000000002", "shardId-000000000003"}));
  token = std::string(std::string_view(second.root["NextToken"]));
  Json third(Ok("ListShards", R"({"NextToken":")" + token + R"("})"));
  EXPECT_EQ(ShardIds(third.root["Shards"]), (std::vector<std::string>{"shardId-000000000004"}));
  EXPECT_TRUE(third.root["NextToken"].error());
}

TEST_F(ApiTest, ListShardsExclusiveStartShardIdAndFilter) {
  CreateActiveStream("f", 3);
  Json j(Ok("ListShards", R"({"StreamName":"f","ExclusiveStartShardId":"shardId-000000000000"})"));
  EXPECT_EQ(ShardIds(j.root["Shards"]), (std::vector<std::string>{"shardId-000000000001", "shardId-000000000002"}));
  Json latest(Ok("ListShards", R"({"StreamName":"f","ShardFilter":{"Type":"AT_LATEST"}})"));
  EXPECT_EQ(ShardIds(latest.root["Shards"]).size(), 3u);
}

TEST_F(ApiTest, ListShardsTokenCombinations) {
  CreateActiveStream("t", 3);
  Json first(Ok("ListShards", R"({"StreamName":"t","MaxResults":1})"));
  std::string token(std::string_view(first.root["NextToken"]));
  ExpectError(Call("ListShards", R"({"StreamName":"t","NextToken":")" + token + R"("})"), 400,
              "InvalidArgumentException", "NextToken and StreamName cannot be provided together.");
  ExpectError(Call("ListShards", "{}"), 400, "InvalidArgumentException",
              "Either NextToken or StreamName should be provided.");
  ExpectError(Call("ListShards", R"({"NextToken":"garbage"})"), 400, "InvalidArgumentException", "Invalid NextToken.");
}

TEST_F(ApiTest, ListShardsTokenExpiresAfter300Seconds) {
  CreateActiveStream("e", 3);
  Json first(Ok("ListShards", R"({"StreamName":"e","MaxResults":1})"));
  std::string token(std::string_view(first.root["NextToken"]));
  clock_.Advance(300 * 1000);
  EXPECT_EQ(Call("ListShards", R"({"NextToken":")" + token + R"("})").status, 200);
  clock_.Advance(1001);
  ApiResponse r = Call("ListShards", R"({"NextToken":")" + token + R"("})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_type, "ExpiredNextTokenException");
}

TEST_F(ApiTest, DescribeStreamPagesShards) {
  CreateActiveStream("d", 3);
  Json first(Ok("DescribeStream", R"({"StreamName":"d","Limit":2})"));
  auto d = first.root["StreamDescription"];
  EXPECT_EQ(ShardIds(d["Shards"]), (std::vector<std::string>{"shardId-000000000000", "shardId-000000000001"}));
  EXPECT_TRUE(bool(d["HasMoreShards"]));
  Json second(Ok("DescribeStream", R"({"StreamName":"d","Limit":2,"ExclusiveStartShardId":"shardId-000000000001"})"));
  auto d2 = second.root["StreamDescription"];
  EXPECT_EQ(ShardIds(d2["Shards"]), (std::vector<std::string>{"shardId-000000000002"}));
  EXPECT_FALSE(bool(d2["HasMoreShards"]));
}

}  // namespace
}  // namespace sluice::api::testing
