// Create / describe / list / put / get through the dispatcher against a real
// in-memory engine.
#include "api_test_util.h"

namespace sluice::api::testing {
namespace {

TEST_F(ApiTest, CreateStreamReturnsEmptyBody) {
  ApiResponse r = Call("CreateStream", R"({"StreamName":"s1","ShardCount":2})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(r.content_type, kJson);
}

TEST_F(ApiTest, CreateExistingStreamIsResourceInUse) {
  CreateActiveStream("dup", 1);
  ExpectError(Call("CreateStream", R"({"StreamName":"dup","ShardCount":1})"), 400, "ResourceInUseException",
              "Stream dup under account 000000000000 already exists.");
}

TEST_F(ApiTest, DescribeStreamShowsShardsAndMetadata) {
  CreateActiveStream("s1", 2);
  Json j(Ok("DescribeStream", R"({"StreamName":"s1"})"));
  auto d = j.root["StreamDescription"];
  EXPECT_EQ(std::string_view(d["StreamName"]), "s1");
  EXPECT_EQ(std::string_view(d["StreamARN"]), "arn:aws:kinesis:us-east-1:000000000000:stream/s1");
  EXPECT_EQ(std::string_view(d["StreamStatus"]), "ACTIVE");
  EXPECT_EQ(std::string_view(d["StreamModeDetails"]["StreamMode"]), "PROVISIONED");
  EXPECT_EQ(bool(d["HasMoreShards"]), false);
  EXPECT_EQ(int64_t(d["RetentionPeriodHours"]), 24);
  EXPECT_EQ(std::string_view(d["EncryptionType"]), "NONE");
  simdjson::dom::array shards = d["Shards"];
  ASSERT_EQ(shards.size(), 2u);
  EXPECT_EQ(std::string_view(shards.at(0)["ShardId"]), "shardId-000000000000");
  EXPECT_EQ(std::string_view(shards.at(0)["HashKeyRange"]["StartingHashKey"]), "0");
  EXPECT_EQ(std::string_view(shards.at(1)["HashKeyRange"]["EndingHashKey"]), "340282366920938463463374607431768211455");
  EXPECT_EQ(std::string_view(shards.at(0)["SequenceNumberRange"]["StartingSequenceNumber"]).size(), 56u);
}

TEST_F(ApiTest, DescribeStreamSummaryByArn) {
  CreateActiveStream("s2", 3);
  Json j(Ok("DescribeStreamSummary", R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s2"})"));
  auto d = j.root["StreamDescriptionSummary"];
  EXPECT_EQ(std::string_view(d["StreamName"]), "s2");
  EXPECT_EQ(int64_t(d["OpenShardCount"]), 3);
  EXPECT_EQ(int64_t(d["ConsumerCount"]), 0);
  EXPECT_EQ(int64_t(d["MaxRecordSizeInKiB"]), 1024);
}

TEST_F(ApiTest, UnknownStreamIsResourceNotFound) {
  ExpectError(Call("DescribeStream", R"({"StreamName":"nope"})"), 400, "ResourceNotFoundException",
              "Stream nope under account 000000000000 not found.");
}

TEST_F(ApiTest, ListStreamsListsNamesAndSummaries) {
  CreateActiveStream("b", 1);
  CreateActiveStream("a", 1);
  Json j(Ok("ListStreams", "{}"));
  simdjson::dom::array names = j.root["StreamNames"];
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(std::string_view(names.at(0)), "a");
  EXPECT_EQ(std::string_view(names.at(1)), "b");
  EXPECT_EQ(bool(j.root["HasMoreStreams"]), false);
  simdjson::dom::array summaries = j.root["StreamSummaries"];
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_EQ(std::string_view(summaries.at(1)["StreamARN"]), "arn:aws:kinesis:us-east-1:000000000000:stream/b");
  EXPECT_EQ(std::string_view(summaries.at(1)["StreamStatus"]), "ACTIVE");
}

TEST_F(ApiTest, PutThenGetRecordsRoundTrip) {
  CreateActiveStream("rt", 1);
  Json put(Ok("PutRecord", R"({"StreamName":"rt","PartitionKey":"k1","Data":"aGVsbG8="})"));
  EXPECT_EQ(std::string_view(put.root["ShardId"]), "shardId-000000000000");
  std::string first_seq(std::string_view(put.root["SequenceNumber"]));
  EXPECT_EQ(first_seq.size(), 56u);

  Json batch(Ok("PutRecords", R"({"StreamName":"rt","Records":[
      {"PartitionKey":"k2","Data":"AAE="},
      {"PartitionKey":"k3","Data":"","ExplicitHashKey":"5"}]})"));
  EXPECT_EQ(int64_t(batch.root["FailedRecordCount"]), 0);
  simdjson::dom::array results = batch.root["Records"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(std::string_view(results.at(1)["ShardId"]), "shardId-000000000000");
  EXPECT_GT(std::string(std::string_view(results.at(0)["SequenceNumber"])), first_seq);

  Json it(Ok("GetShardIterator",
             R"({"StreamName":"rt","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})"));
  std::string iterator(std::string_view(it.root["ShardIterator"]));
  Json got(Ok("GetRecords", R"({"ShardIterator":")" + iterator + R"("})"));
  simdjson::dom::array records = got.root["Records"];
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(std::string_view(records.at(0)["Data"]), "aGVsbG8=");
  EXPECT_EQ(std::string_view(records.at(0)["PartitionKey"]), "k1");
  EXPECT_EQ(std::string_view(records.at(0)["SequenceNumber"]), first_seq);
  EXPECT_EQ(std::string_view(records.at(1)["Data"]), "AAE=");
  EXPECT_EQ(std::string_view(records.at(2)["Data"]), "");
  EXPECT_NEAR(double(records.at(0)["ApproximateArrivalTimestamp"]), kStartMs / 1000.0, 1.0);
  EXPECT_EQ(int64_t(got.root["MillisBehindLatest"]), 0);
  std::string next(std::string_view(got.root["NextShardIterator"]));
  EXPECT_FALSE(next.empty());

  // The next iterator continues after the last record.
  Ok("PutRecord", R"({"StreamName":"rt","PartitionKey":"k4","Data":"Zm9v"})");
  Json more(Ok("GetRecords", R"({"ShardIterator":")" + next + R"(","Limit":10})"));
  simdjson::dom::array tail = more.root["Records"];
  ASSERT_EQ(tail.size(), 1u);
  EXPECT_EQ(std::string_view(tail.at(0)["Data"]), "Zm9v");
}

TEST_F(ApiTest, GetRecordsTimestampsHaveThreeDecimals) {
  clock_.Set(kStartMs + 749);
  CreateActiveStream("ts", 1);
  Ok("PutRecord", R"({"StreamName":"ts","PartitionKey":"k","Data":"YQ=="})");
  Json it(Ok("GetShardIterator",
             R"({"StreamName":"ts","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})"));
  std::string body =
      Ok("GetRecords", R"({"ShardIterator":")" + std::string(std::string_view(it.root["ShardIterator"])) + R"("})");
  EXPECT_NE(body.find("\"ApproximateArrivalTimestamp\":1700000000.749"), std::string::npos) << body;
}

TEST_F(ApiTest, LatestIteratorSeesOnlyLaterRecords) {
  CreateActiveStream("lt", 1);
  Ok("PutRecord", R"({"StreamName":"lt","PartitionKey":"k","Data":"b2xk"})");
  Json it(
      Ok("GetShardIterator", R"({"StreamName":"lt","ShardId":"shardId-000000000000","ShardIteratorType":"LATEST"})"));
  Ok("PutRecord", R"({"StreamName":"lt","PartitionKey":"k","Data":"bmV3"})");
  Json got(
      Ok("GetRecords", R"({"ShardIterator":")" + std::string(std::string_view(it.root["ShardIterator"])) + R"("})"));
  simdjson::dom::array records = got.root["Records"];
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(std::string_view(records.at(0)["Data"]), "bmV3");
}

TEST_F(ApiTest, AtSequenceNumberIterator) {
  CreateActiveStream("sq", 1);
  Ok("PutRecord", R"({"StreamName":"sq","PartitionKey":"k","Data":"MQ=="})");
  Json second(Ok("PutRecord", R"({"StreamName":"sq","PartitionKey":"k","Data":"Mg=="})"));
  std::string seq(std::string_view(second.root["SequenceNumber"]));
  Json it(Ok(
      "GetShardIterator",
      R"({"StreamName":"sq","ShardId":"shardId-000000000000","ShardIteratorType":"AT_SEQUENCE_NUMBER","StartingSequenceNumber":")" +
          seq + R"("})"));
  Json got(
      Ok("GetRecords", R"({"ShardIterator":")" + std::string(std::string_view(it.root["ShardIterator"])) + R"("})"));
  simdjson::dom::array records = got.root["Records"];
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(std::string_view(records.at(0)["Data"]), "Mg==");
}

TEST_F(ApiTest, DeleteStreamRemovesIt) {
  CreateActiveStream("gone", 1);
  ApiResponse r = Call("DeleteStream", R"({"StreamName":"gone"})");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int status = 200;
  while (std::chrono::steady_clock::now() < deadline) {
    status = Call("DescribeStreamSummary", R"({"StreamName":"gone"})").status;
    if (status == 400) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(status, 400);
}

TEST_F(ApiTest, PlainJsonContentTypeIsEchoed) {
  ApiResponse r = Raw("Kinesis_20131202.ListStreams", "{}", "application/json");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  ApiResponse p = Raw("Kinesis_20131202.ListStreams", "{}", "application/x-amz-json-1.1; charset=utf-8");
  EXPECT_EQ(p.status, 200);
  EXPECT_EQ(p.content_type, kJson);
}

}  // namespace
}  // namespace sluice::api::testing
