// SplitShard, MergeShards, UpdateShardCount, UpdateStreamMode,
// UpdateMaxRecordSize and UpdateStreamWarmThroughput over the wire shapes:
// validation in the service's words, outputs, and CreateStream's tags.
#include "api_test_util.h"

namespace sluice::api::testing {
namespace {

constexpr std::string_view kArn = "arn:aws:kinesis:us-east-1:000000000000:stream/";

TEST_F(ApiTest, SplitShardValidation) {
  ExpectError(Call("SplitShard", "{}"), 400, "ValidationException",
              "2 validation errors detected: Value null at 'newStartingHashKey' failed to satisfy constraint: "
              "Member must not be null; Value null at 'shardToSplit' failed to satisfy constraint: Member must "
              "not be null");
  ExpectError(Call("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-0","NewStartingHashKey":"01"})"), 400,
              "ValidationException",
              "1 validation error detected: Value '01' at 'newStartingHashKey' failed to satisfy constraint: "
              "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38})");
  ExpectError(Call("SplitShard", R"({"StreamName":"s","ShardToSplit":5,"NewStartingHashKey":"1"})"), 400,
              "SerializationException",
              "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String");
  ExpectError(Call("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-0","NewStartingHashKey":"9"})"), 400,
              "ResourceNotFoundException", "Stream s under account 000000000000 not found.");
  ExpectError(Call("SplitShard", R"({"StreamName":"s","ShardToSplit":"nope","NewStartingHashKey":"9"})"), 400,
              "ResourceNotFoundException", "Could not find shard nope in stream s under account 000000000000.");
}

TEST_F(ApiTest, SplitAndMergeChangeTheShardList) {
  CreateActiveStream("s", 1);
  ExpectError(Call("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000000",)"
                                 R"("NewStartingHashKey":"999999999999999999999999999999999999999"})"),
              400, "InvalidArgumentException",
              "NewStartingHashKey 999999999999999999999999999999999999999 used in SplitShard() on shard "
              "shardId-000000000000 in stream s under account 000000000000 is not both greater than one plus "
              "the shard's StartingHashKey 0 and less than the shard's EndingHashKey "
              "340282366920938463463374607431768211455.");
  EXPECT_EQ(Ok("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000000",)"
                             R"("NewStartingHashKey":"170141183460469231731687303715884105728"})"),
            "");
  Json d(Ok("DescribeStream", R"({"StreamName":"s"})"));
  simdjson::dom::array shards = d.root["StreamDescription"]["Shards"];
  ASSERT_EQ(shards.size(), 3u);
  EXPECT_TRUE(d.root["StreamDescription"]["Shards"].at(0)["SequenceNumberRange"]["EndingSequenceNumber"].error() ==
              simdjson::SUCCESS);
  EXPECT_EQ(std::string_view(shards.at(2)["ParentShardId"]), "shardId-000000000000");
  EXPECT_EQ(std::string_view(shards.at(2)["HashKeyRange"]["StartingHashKey"]),
            "170141183460469231731687303715884105728");
  ExpectError(Call("SplitShard", R"({"StreamName":"s","ShardToSplit":"shardId-000000000000",)"
                                 R"("NewStartingHashKey":"12345"})"),
              400, "InvalidArgumentException",
              "Shard shardId-000000000000 in stream s under account 000000000000 has already been merged or "
              "split, and thus is not eligible for merging or splitting.");
  ExpectError(Call("MergeShards", R"({"StreamName":"s","ShardToMerge":"shardId-000000000001"})"), 400,
              "ValidationException",
              "1 validation error detected: Value null at 'adjacentShardToMerge' failed to satisfy constraint: "
              "Member must not be null");
  EXPECT_EQ(Ok("MergeShards",
               std::string(R"({"StreamARN":")") + std::string(kArn) +
                   R"(s","ShardToMerge":"shardId-000000000002","AdjacentShardToMerge":"shardId-000000000001"})"),
            "");
  Json m(Ok("ListShards", R"({"StreamName":"s","ShardFilter":{"Type":"AT_LATEST"}})"));
  simdjson::dom::array open = m.root["Shards"];
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(std::string_view(open.at(0)["ShardId"]), "shardId-000000000003");
  EXPECT_EQ(std::string_view(open.at(0)["ParentShardId"]), "shardId-000000000002");
  EXPECT_EQ(std::string_view(open.at(0)["AdjacentParentShardId"]), "shardId-000000000001");
}

TEST_F(ApiTest, UpdateShardCountAnswersWithBothCounts) {
  ExpectError(Call("UpdateShardCount", R"({"StreamName":"u","TargetShardCount":0,"ScalingType":"EVEN"})"), 400,
              "ValidationException",
              "2 validation errors detected: Value '0' at 'targetShardCount' failed to satisfy constraint: Member "
              "must have value greater than or equal to 1; Value 'EVEN' at 'scalingType' failed to satisfy "
              "constraint: Member must satisfy enum value set: [UNIFORM_SCALING]");
  CreateActiveStream("u", 2);
  Json r(Ok("UpdateShardCount", R"({"StreamName":"u","TargetShardCount":3,"ScalingType":"UNIFORM_SCALING"})"));
  EXPECT_EQ(std::string_view(r.root["StreamName"]), "u");
  EXPECT_EQ(int64_t(r.root["CurrentShardCount"]), 2);
  EXPECT_EQ(int64_t(r.root["TargetShardCount"]), 3);
  EXPECT_EQ(std::string_view(r.root["StreamARN"]), std::string(kArn) + "u");
  Json s(Ok("DescribeStreamSummary", R"({"StreamName":"u"})"));
  EXPECT_EQ(int64_t(s.root["StreamDescriptionSummary"]["OpenShardCount"]), 3);
  ExpectError(
      Call("UpdateShardCount", R"({"StreamName":"u","TargetShardCount":99999999999,"ScalingType":"UNIFORM_SCALING"})"),
      400, "LimitExceededException",
      "UpdateShardCount cannot scale up over double your current open shard count. Current open shard "
      "count: 3 Target shard count: 2147483647");
}

TEST_F(ApiTest, StreamModeSwitchesBothWays) {
  ExpectError(Call("UpdateStreamMode", R"({"StreamModeDetails":{}})"), 400, "ValidationException",
              "2 validation errors detected: Value null at 'streamARN' failed to satisfy constraint: Member must "
              "not be null; Value null at 'streamModeDetails.streamMode' failed to satisfy constraint: Member "
              "must not be null");
  CreateActiveStream("m", 2);
  const std::string arn = std::string(kArn) + "m";
  EXPECT_EQ(Ok("UpdateStreamMode", R"({"StreamARN":")" + arn + R"(","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})"),
            "");
  Json s(Ok("DescribeStreamSummary", R"({"StreamName":"m"})"));
  EXPECT_EQ(std::string_view(s.root["StreamDescriptionSummary"]["StreamModeDetails"]["StreamMode"]), "ON_DEMAND");
  EXPECT_EQ(int64_t(s.root["StreamDescriptionSummary"]["WarmThroughput"]["CurrentMiBps"]), 2);
  ExpectError(Call("SplitShard", R"({"StreamName":"m","ShardToSplit":"shardId-000000000000",)"
                                 R"("NewStartingHashKey":"12345"})"),
              400, "ValidationException",
              "SplitShard is not supported for stream m under account 000000000000 because it is in ON_DEMAND "
              "capacity mode.");
  EXPECT_EQ(
      Ok("UpdateStreamMode", R"({"StreamARN":")" + arn + R"(","StreamModeDetails":{"StreamMode":"PROVISIONED"}})"), "");
  Json p(Ok("DescribeStreamSummary", R"({"StreamName":"m"})"));
  EXPECT_TRUE(p.root["StreamDescriptionSummary"]["WarmThroughput"].error() == simdjson::NO_SUCH_FIELD);
}

TEST_F(ApiTest, MaxRecordSizeIsValidatedAndReported) {
  CreateActiveStream("big", 1);
  const std::string arn = std::string(kArn) + "big";
  ExpectError(Call("UpdateMaxRecordSize", R"({"StreamARN":")" + arn + R"(","MaxRecordSizeInKiB":10241})"), 400,
              "ValidationException",
              "1 validation error detected: Value '10241' at 'maxRecordSizeInKiB' failed to satisfy constraint: "
              "Member must have value less than or equal to 10240");
  EXPECT_EQ(Ok("UpdateMaxRecordSize", R"({"StreamARN":")" + arn + R"(","MaxRecordSizeInKiB":4096})"), "");
  Json s(Ok("DescribeStreamSummary", R"({"StreamName":"big"})"));
  EXPECT_EQ(int64_t(s.root["StreamDescriptionSummary"]["MaxRecordSizeInKiB"]), 4096);
}

TEST_F(ApiTest, WarmThroughputNeedsOnDemandAndTheCommitment) {
  CreateActiveStream("w", 1);
  ExpectError(Call("UpdateStreamWarmThroughput", R"({"StreamName":"w","WarmThroughputMiBps":100})"), 400,
              "InvalidArgumentException",
              "Warm throughput can only be updated for streams in ON_DEMAND capacity mode. Stream w under "
              "account 000000000000 is in PROVISIONED mode.");
  Ok("UpdateStreamMode",
     R"({"StreamARN":")" + std::string(kArn) + R"(w","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})");
  ApiResponse refused = Call("UpdateStreamWarmThroughput", R"({"StreamName":"w","WarmThroughputMiBps":100})");
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("minimum throughput billing commitment"), std::string::npos) << refused.body;
  Ok("UpdateAccountSettings", R"({"MinimumThroughputBillingCommitment":{"Status":"ENABLED"}})");
  Json r(Ok("UpdateStreamWarmThroughput", R"({"StreamName":"w","WarmThroughputMiBps":100})"));
  EXPECT_EQ(std::string_view(r.root["StreamName"]), "w");
  EXPECT_EQ(int64_t(r.root["WarmThroughput"]["TargetMiBps"]), 100);
  EXPECT_EQ(int64_t(r.root["WarmThroughput"]["CurrentMiBps"]), 100);
  Json s(Ok("DescribeStreamSummary", R"({"StreamName":"w"})"));
  EXPECT_EQ(int64_t(s.root["StreamDescriptionSummary"]["WarmThroughput"]["TargetMiBps"]), 100);
}

TEST_F(ApiTest, CreateStreamTagsFollowTheTagMapRules) {
  ExpectError(Call("CreateStream", R"({"StreamName":"t","ShardCount":1,"Tags":{"":"v"}})"), 400, "ValidationException",
              "1 validation error detected: Value '{=v}' at 'tags' failed to satisfy constraint: Map keys must "
              "satisfy constraint: [Member must have length less than or equal to 128, Member must have length "
              "greater than or equal to 1]");
  std::string many = R"({"StreamName":"t","ShardCount":1,"Tags":{)";
  for (int i = 0; i < 51; ++i) many += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"v\"";
  many += "}}";
  ExpectError(Call("CreateStream", many), 400, "InvalidArgumentException",
              "Failed to add tags to stream t under account 000000000000 because a given stream cannot have more "
              "than 50 tags associated with it.");
  ApiResponse bad = Call("CreateStream", R"({"StreamName":"t","ShardCount":1,"Tags":{"a":"b%"}})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("InvalidArgumentException"), std::string::npos) << bad.body;
  EXPECT_EQ(Call("DescribeStreamSummary", R"({"StreamName":"t"})").status, 400) << "nothing was created";
}

}  // namespace
}  // namespace sluice::api::testing
