// Increase/DecreaseStreamRetentionPeriod, Enable/DisableEnhancedMonitoring,
// Start/StopStreamEncryption and DescribeLimits over the wire shapes.
#include "api_test_util.h"

namespace sluice::api::testing {
namespace {

std::vector<std::string> Strings(simdjson::dom::element array) {
  std::vector<std::string> out;
  for (simdjson::dom::element e : simdjson::dom::array(array)) out.emplace_back(std::string_view(e));
  return out;
}

using Names = std::vector<std::string>;

TEST_F(ApiTest, RetentionPeriodIncreasesAndDecreases) {
  CreateActiveStream("r", 1);
  EXPECT_EQ(Ok("IncreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":168})"), "");
  Json a(Ok("DescribeStreamSummary", R"({"StreamName":"r"})"));
  EXPECT_EQ(int64_t(a.root["StreamDescriptionSummary"]["RetentionPeriodHours"]), 168);
  EXPECT_EQ(Ok("DecreaseStreamRetentionPeriod",
               R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/r","RetentionPeriodHours":48})"),
            "");
  Json b(Ok("DescribeStream", R"({"StreamName":"r"})"));
  EXPECT_EQ(int64_t(b.root["StreamDescription"]["RetentionPeriodHours"]), 48);
}

TEST_F(ApiTest, RetentionPeriodErrors) {
  ExpectError(Call("IncreaseStreamRetentionPeriod", R"({"StreamName":"r!"})"), 400, "ValidationException",
              "2 validation errors detected: Value null at 'retentionPeriodHours' failed to satisfy constraint: "
              "Member must not be null; Value 'r!' at 'streamName' failed to satisfy constraint: Member must "
              "satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
  ExpectError(Call("IncreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":"48"})"), 400,
              "SerializationException", "class java.lang.String can not be converted to an Integer");
  ExpectError(Call("DecreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":48})"), 400,
              "ResourceNotFoundException", "Stream r under account 000000000000 not found.");
  CreateActiveStream("r", 1);
  ExpectError(Call("IncreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":0})"), 400,
              "InvalidArgumentException",
              "Minimum allowed retention period is 24 hours. Requested retention period (0 hours) is too short.");
  ExpectError(Call("IncreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":8761})"), 400,
              "InvalidArgumentException",
              "Maximum allowed retention period is 8760 hours. Requested retention period (8761 hours) is too long.");
  Ok("IncreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":72})");
  ExpectError(Call("IncreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":48})"), 400,
              "InvalidArgumentException",
              "Requested retention period (48 hours) for stream r can not be shorter than existing retention period "
              "(72 hours). Use DecreaseStreamRetentionPeriod API.");
  ExpectError(Call("DecreaseStreamRetentionPeriod", R"({"StreamName":"r","RetentionPeriodHours":96})"), 400,
              "InvalidArgumentException",
              "Requested retention period (96 hours) for stream r can not be longer than existing retention period "
              "(72 hours). Use IncreaseStreamRetentionPeriod API.");
}

TEST_F(ApiTest, EnhancedMonitoringReportsCurrentAndDesiredMetrics) {
  CreateActiveStream("m", 1);
  Json a(Ok("EnableEnhancedMonitoring", R"({"StreamName":"m","ShardLevelMetrics":["OutgoingBytes","IncomingBytes"]})"));
  EXPECT_EQ(std::string_view(a.root["StreamName"]), "m");
  EXPECT_EQ(std::string_view(a.root["StreamARN"]), "arn:aws:kinesis:us-east-1:000000000000:stream/m");
  EXPECT_EQ(Strings(a.root["CurrentShardLevelMetrics"]), Names{});
  EXPECT_EQ(Strings(a.root["DesiredShardLevelMetrics"]), (Names{"IncomingBytes", "OutgoingBytes"}));

  Json d(Ok("DescribeStream", R"({"StreamName":"m"})"));
  simdjson::dom::array em = d.root["StreamDescription"]["EnhancedMonitoring"];
  ASSERT_EQ(em.size(), 1u);
  EXPECT_EQ(Strings(em.at(0)["ShardLevelMetrics"]), (Names{"IncomingBytes", "OutgoingBytes"}));

  Json all(Ok("EnableEnhancedMonitoring", R"({"StreamName":"m","ShardLevelMetrics":["ALL"]})"));
  const Names seven = {"IncomingBytes",
                       "IncomingRecords",
                       "OutgoingBytes",
                       "OutgoingRecords",
                       "WriteProvisionedThroughputExceeded",
                       "ReadProvisionedThroughputExceeded",
                       "IteratorAgeMilliseconds"};
  EXPECT_EQ(Strings(all.root["DesiredShardLevelMetrics"]), seven);
  Json s(Ok("DescribeStreamSummary", R"({"StreamName":"m"})"));
  EXPECT_EQ(Strings(s.root["StreamDescriptionSummary"]["EnhancedMonitoring"].at(0)["ShardLevelMetrics"]), seven);

  Json off(Ok("DisableEnhancedMonitoring", R"({"StreamName":"m","ShardLevelMetrics":["ALL"]})"));
  EXPECT_EQ(Strings(off.root["CurrentShardLevelMetrics"]), seven);
  EXPECT_EQ(Strings(off.root["DesiredShardLevelMetrics"]), Names{});
  Json again(Ok("DisableEnhancedMonitoring", R"({"StreamName":"m","ShardLevelMetrics":["IncomingBytes"]})"));
  EXPECT_EQ(Strings(again.root["CurrentShardLevelMetrics"]), Names{});
  EXPECT_EQ(Strings(again.root["DesiredShardLevelMetrics"]), Names{});
}

TEST_F(ApiTest, EnhancedMonitoringErrors) {
  ExpectError(Call("EnableEnhancedMonitoring", R"({"StreamName":"m"})"), 400, "ValidationException",
              "1 validation error detected: Value null at 'shardLevelMetrics' failed to satisfy constraint: Member "
              "must not be null");
  ExpectError(Call("DisableEnhancedMonitoring", R"({"StreamName":"m","ShardLevelMetrics":[]})"), 400,
              "ValidationException",
              "1 validation error detected: Value '[]' at 'shardLevelMetrics' failed to satisfy constraint: Member "
              "must have length greater than or equal to 1");
  ExpectError(Call("EnableEnhancedMonitoring", R"({"StreamName":"m","ShardLevelMetrics":["Bytes"]})"), 400,
              "ValidationException",
              "1 validation error detected: Value '[Bytes]' at 'shardLevelMetrics' failed to satisfy constraint: "
              "Member must satisfy constraint: [Member must satisfy enum value set: [IncomingBytes, "
              "IncomingRecords, OutgoingBytes, OutgoingRecords, WriteProvisionedThroughputExceeded, "
              "ReadProvisionedThroughputExceeded, IteratorAgeMilliseconds, ALL]]");
  ApiResponse r = Call("EnableEnhancedMonitoring",
                       R"({"StreamName":"m","ShardLevelMetrics":["ALL","ALL","ALL","ALL","ALL","ALL","ALL","ALL"]})");
  EXPECT_NE(r.body.find("Member must have length less than or equal to 7"), std::string::npos) << r.body;
  ExpectError(Call("EnableEnhancedMonitoring", R"({"StreamName":"m","ShardLevelMetrics":["ALL"]})"), 400,
              "ResourceNotFoundException", "Stream m under account 000000000000 not found.");
}

TEST_F(ApiTest, StreamEncryptionIsReportedByDescribeAndByRecordsWrittenAfter) {
  CreateActiveStream("e", 1);
  Json before(Ok("PutRecord", R"({"StreamName":"e","PartitionKey":"k","Data":"AA=="})"));
  EXPECT_TRUE(before.root["EncryptionType"].error());
  clock_.Advance(5);
  EXPECT_EQ(Ok("StartStreamEncryption", R"({"StreamName":"e","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"})"),
            "");
  Json desc(Ok("DescribeStream", R"({"StreamName":"e"})"));
  EXPECT_EQ(std::string_view(desc.root["StreamDescription"]["EncryptionType"]), "KMS");
  EXPECT_EQ(std::string_view(desc.root["StreamDescription"]["KeyId"]), "alias/aws/kinesis");
  Json summary(Ok("DescribeStreamSummary", R"({"StreamName":"e"})"));
  EXPECT_EQ(std::string_view(summary.root["StreamDescriptionSummary"]["EncryptionType"]), "KMS");

  Json one(Ok("PutRecord", R"({"StreamName":"e","PartitionKey":"k","Data":"AQ=="})"));
  EXPECT_EQ(std::string_view(one.root["EncryptionType"]), "KMS");
  Json many(Ok("PutRecords", R"({"StreamName":"e","Records":[{"PartitionKey":"k","Data":"Ag=="}]})"));
  EXPECT_EQ(std::string_view(many.root["EncryptionType"]), "KMS");

  Json it(Ok("GetShardIterator",
             R"({"StreamName":"e","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})"));
  std::string iterator(std::string_view(it.root["ShardIterator"]));
  Json got(Ok("GetRecords", R"({"ShardIterator":")" + iterator + R"("})"));
  simdjson::dom::array records = got.root["Records"];
  ASSERT_EQ(records.size(), 3u);
  EXPECT_TRUE(records.at(0)["EncryptionType"].error());
  EXPECT_EQ(std::string_view(records.at(1)["EncryptionType"]), "KMS");
  EXPECT_EQ(std::string_view(records.at(2)["EncryptionType"]), "KMS");

  clock_.Advance(5);
  Ok("StopStreamEncryption", R"({"StreamName":"e","EncryptionType":"KMS","KeyId":"alias/aws/kinesis"})");
  Json stopped(Ok("DescribeStream", R"({"StreamName":"e"})"));
  EXPECT_EQ(std::string_view(stopped.root["StreamDescription"]["EncryptionType"]), "NONE");
  EXPECT_TRUE(stopped.root["StreamDescription"]["KeyId"].error());
  Json after(Ok("PutRecord", R"({"StreamName":"e","PartitionKey":"k","Data":"Aw=="})"));
  EXPECT_TRUE(after.root["EncryptionType"].error());
}

TEST_F(ApiTest, StreamEncryptionErrors) {
  ExpectError(Call("StartStreamEncryption", R"({"StreamName":"e"})"), 400, "ValidationException",
              "2 validation errors detected: Value null at 'encryptionType' failed to satisfy constraint: Member "
              "must not be null; Value null at 'keyId' failed to satisfy constraint: Member must not be null");
  ExpectError(Call("StopStreamEncryption", R"({"StreamName":"e","EncryptionType":"AES","KeyId":""})"), 400,
              "ValidationException",
              "2 validation errors detected: Value 'AES' at 'encryptionType' failed to satisfy constraint: Member "
              "must satisfy enum value set: [NONE, KMS]; Value '' at 'keyId' failed to satisfy constraint: Member "
              "must have length greater than or equal to 1");
  ExpectError(Call("StartStreamEncryption", R"({"StreamName":"e","EncryptionType":"KMS","KeyId":"k"})"), 400,
              "ResourceNotFoundException", "Stream e under account 000000000000 not found.");
  CreateActiveStream("e", 1);
  ExpectError(Call("StartStreamEncryption", R"({"StreamName":"e","EncryptionType":"NONE","KeyId":"k"})"), 400,
              "InvalidArgumentException",
              "Encryption type NONE is not supported for stream e under account 000000000000. The only supported "
              "encryption type is KMS.");
}

TEST_F(ApiTest, DescribeLimitsCountsTheNamespacesOpenShardsAndOnDemandStreams) {
  EXPECT_EQ(Ok("DescribeLimits", "{}"),
            R"({"ShardLimit":20000,"OpenShardCount":0,"OnDemandStreamCount":0,"OnDemandStreamCountLimit":50})");
  CreateActiveStream("a", 3);
  Ok("CreateStream", R"({"StreamName":"od","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})");
  Json j(Ok("DescribeLimits", "{}"));
  EXPECT_EQ(int64_t(j.root["ShardLimit"]), 20000);
  EXPECT_EQ(int64_t(j.root["OpenShardCount"]), 7);
  EXPECT_EQ(int64_t(j.root["OnDemandStreamCount"]), 1);
  EXPECT_EQ(int64_t(j.root["OnDemandStreamCountLimit"]), 50);
}

}  // namespace
}  // namespace sluice::api::testing
