// UpdateStreamRecordDistributionStrategy and CreateStream's
// RecordDistributionStrategy over the wire shapes: validation in the
// service's words, the on-demand-only error, DescribeStreamSummary's member,
// and PutRecord answering the shard AUTO placed the record on.
#include <set>

#include "api_test_util.h"

namespace sluice::api::testing {
namespace {

constexpr std::string_view kArn = "arn:aws:kinesis:us-east-1:000000000000:stream/";

std::string Update(std::string_view stream, std::string_view strategy) {
  return R"({"StreamARN":")" + std::string(kArn) + std::string(stream) + R"(","RecordDistributionStrategy":")" +
         std::string(strategy) + R"("})";
}

TEST_F(ApiTest, RecordDistributionStrategyValidation) {
  ExpectError(Call("UpdateStreamRecordDistributionStrategy", "{}"), 400, "ValidationException",
              "2 validation errors detected: Value null at 'streamARN' failed to satisfy constraint: Member must "
              "not be null; Value null at 'recordDistributionStrategy' failed to satisfy constraint: Member must "
              "not be null");
  ExpectError(Call("UpdateStreamRecordDistributionStrategy", Update("s", "RANDOM")), 400, "ValidationException",
              "1 validation error detected: Value 'RANDOM' at 'recordDistributionStrategy' failed to satisfy "
              "constraint: Member must satisfy enum value set: [AUTO, USER_PARTITION_KEY]");
  ExpectError(Call("UpdateStreamRecordDistributionStrategy",
                   R"({"StreamARN":"arn:aws:sqs:us-east-1:000000000000:q","RecordDistributionStrategy":"AUTO"})"),
              400, "ValidationException",
              "1 validation error detected: Value 'arn:aws:sqs:us-east-1:000000000000:q' at 'streamARN' failed to "
              "satisfy constraint: Member must satisfy regular expression pattern: "
              "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
  ExpectError(Call("CreateStream", R"({"StreamName":"c","RecordDistributionStrategy":"auto"})"), 400,
              "ValidationException",
              "1 validation error detected: Value 'auto' at 'recordDistributionStrategy' failed to satisfy "
              "constraint: Member must satisfy enum value set: [AUTO, USER_PARTITION_KEY]");
  ExpectError(Call("UpdateStreamRecordDistributionStrategy", Update("missing", "AUTO")), 400,
              "ResourceNotFoundException", "Stream missing under account 000000000000 not found.");
}

TEST_F(ApiTest, RecordDistributionStrategyIsForOnDemandStreamsOnly) {
  CreateActiveStream("p", 1);
  ExpectError(Call("UpdateStreamRecordDistributionStrategy", Update("p", "AUTO")), 400, "InvalidArgumentException",
              "Record distribution strategy can only be updated for streams in ON_DEMAND capacity mode. Stream p "
              "under account 000000000000 is in PROVISIONED mode.");
  ExpectError(Call("CreateStream", R"({"StreamName":"c","ShardCount":1,"RecordDistributionStrategy":"AUTO"})"), 400,
              "InvalidArgumentException",
              "RecordDistributionStrategy AUTO can only be set for streams in ON_DEMAND capacity mode.");
  Json s(Ok("DescribeStreamSummary", R"({"StreamName":"p"})"));
  EXPECT_TRUE(s.root["StreamDescriptionSummary"]["RecordDistributionStrategy"].error() == simdjson::NO_SUCH_FIELD);
}

TEST_F(ApiTest, AutoIsReportedAndSpreadsPutRecordOverTheShards) {
  Ok("CreateStream", R"({"StreamName":"od","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})");
  Json before(Ok("DescribeStreamSummary", R"({"StreamName":"od"})"));
  EXPECT_EQ(std::string_view(before.root["StreamDescriptionSummary"]["RecordDistributionStrategy"]),
            "USER_PARTITION_KEY");
  EXPECT_EQ(Ok("UpdateStreamRecordDistributionStrategy", Update("od", "AUTO")), "");
  Json after(Ok("DescribeStreamSummary", R"({"StreamName":"od"})"));
  EXPECT_EQ(std::string_view(after.root["StreamDescriptionSummary"]["RecordDistributionStrategy"]), "AUTO");
  // DescribeStream's StreamDescription has no such member in the model.
  EXPECT_EQ(Ok("DescribeStream", R"({"StreamName":"od"})").find("RecordDistributionStrategy"), std::string::npos);

  std::set<std::string> shards;
  for (int i = 0; i < 8; ++i) {
    Json r(Ok("PutRecord", R"({"StreamName":"od","PartitionKey":"one","Data":"AA=="})"));
    shards.insert(std::string(std::string_view(r.root["ShardId"])));
  }
  EXPECT_EQ(shards.size(), 4u);
}

TEST_F(ApiTest, CreateStreamTakesAutoForOnDemandStreams) {
  Ok("CreateStream",
     R"({"StreamName":"a","StreamModeDetails":{"StreamMode":"ON_DEMAND"},"RecordDistributionStrategy":"AUTO"})");
  Json s(Ok("DescribeStreamSummary", R"({"StreamName":"a"})"));
  EXPECT_EQ(std::string_view(s.root["StreamDescriptionSummary"]["RecordDistributionStrategy"]), "AUTO");
}

TEST_F(ApiTest, RecordsWithoutAPartitionKeyAreTakenOnAutoStreams) {
  Ok("CreateStream",
     R"({"StreamName":"a","StreamModeDetails":{"StreamMode":"ON_DEMAND"},"RecordDistributionStrategy":"AUTO"})");
  Json one(Ok("PutRecord", R"({"StreamName":"a","Data":"AA=="})"));
  EXPECT_FALSE(std::string_view(one.root["SequenceNumber"]).empty());
  Json many(Ok("PutRecords", R"({"StreamName":"a","Records":[{"Data":"AA=="},{"Data":"AQ=="}]})"));
  EXPECT_EQ(int64_t(many.root["FailedRecordCount"]), 0);
}

TEST_F(ApiTest, RecordsWithoutAPartitionKeyAreRefusedOnUserPartitionKeyStreams) {
  Ok("CreateStream", R"({"StreamName":"u","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})");
  ExpectError(Call("PutRecord", R"({"StreamName":"u","Data":"AA=="})"), 400, "ValidationException",
              "1 validation error detected: Value null at 'partitionKey' failed to satisfy constraint: Member must "
              "not be null");
  ExpectError(
      Call("PutRecords", R"({"StreamName":"u","Records":[{"Data":"AA==","PartitionKey":"k"},{"Data":"AA=="}]})"), 400,
      "ValidationException",
      "1 validation error detected: Value null at 'records.2.member.partitionKey' failed to satisfy "
      "constraint: Member must not be null");
  // A stream that does not exist is named as such first.
  ExpectError(Call("PutRecord", R"({"StreamName":"none","Data":"AA=="})"), 400, "ResourceNotFoundException",
              "Stream none under account 000000000000 not found.");
}

}  // namespace
}  // namespace sluice::api::testing
