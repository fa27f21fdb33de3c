// Exact ValidationException / SerializationException messages. The expected
// strings were produced by kinesalite (whose messages were captured from the
// real service) for the same request bodies.
#include "api_test_util.h"

namespace sluice::api::testing {
namespace {

TEST_F(ApiTest, CreateStreamShardCountAndNameInOrder) {
  ExpectError(Call("CreateStream", R"({"StreamName":"a b","ShardCount":0})"), 400, "ValidationException",
              "2 validation errors detected: Value '0' at 'shardCount' failed to satisfy constraint: Member must have "
              "value greater than or equal to 1; Value 'a b' at 'streamName' failed to satisfy constraint: Member "
              "must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
}

TEST_F(ApiTest, CreateStreamNameRequired) {
  ExpectError(Call("CreateStream", R"({"ShardCount":1})"), 400, "ValidationException",
              "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not "
              "be null");
}

TEST_F(ApiTest, PutRecordsEmptyPartitionKey) {
  ExpectError(Call("PutRecords", R"({"Records":[{"PartitionKey":"","Data":"YQ=="}],"StreamName":"x"})"), 400,
              "ValidationException",
              "1 validation error detected: Value '' at 'records.1.member.partitionKey' failed to satisfy "
              "constraint: Member must have length greater than or equal to 1");
}

TEST_F(ApiTest, PutRecordsEmptyList) {
  ExpectError(Call("PutRecords", R"({"Records":[],"StreamName":"x"})"), 400, "ValidationException",
              "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: Member must have "
              "length greater than or equal to 1");
}

TEST_F(ApiTest, PutRecordsEntryErrorsPrecedeStreamName) {
  ExpectError(
      Call(
          "PutRecords",
          R"({"Records":[{"PartitionKey":"a","Data":"YQ==","ExplicitHashKey":"x"},{"Data":"YQ=="}],"StreamName":"x!"})"),
      400, "ValidationException",
      "2 validation errors detected: Value 'x' at 'records.1.member.explicitHashKey' failed to satisfy constraint: "
      "Member must satisfy regular expression pattern: 0|([1-9]\\d{0,38}); Value 'x!' at "
      "'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
}

TEST_F(ApiTest, PutRecordsReportsAtMostTenErrors) {
  // PartitionKey is optional in the model; a USER_PARTITION_KEY stream
  // refuses records without one (record_writes.h).
  CreateActiveStream("x", 1);
  std::string body = R"({"StreamName":"x","Records":[)";
  for (int i = 0; i < 12; ++i) body += std::string(i ? "," : "") + R"({"Data":"YQ=="})";
  body += "]}";
  ApiResponse r = Call("PutRecords", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("10 validation errors detected: "), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("records.10.member.partitionKey"), std::string::npos);
  EXPECT_EQ(r.body.find("records.11.member.partitionKey"), std::string::npos);
}

TEST_F(ApiTest, GetShardIteratorBadType) {
  ExpectError(Call("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-0","ShardIteratorType":"BAD"})"), 400,
              "ValidationException",
              "1 validation error detected: Value 'BAD' at 'shardIteratorType' failed to satisfy constraint: Member "
              "must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_TIMESTAMP, AT_SEQUENCE_NUMBER, "
              "TRIM_HORIZON]");
}

TEST_F(ApiTest, GetRecordsLimitAndIterator) {
  ExpectError(Call("GetRecords", R"({"ShardIterator":"","Limit":0})"), 400, "ValidationException",
              "2 validation errors detected: Value '0' at 'limit' failed to satisfy constraint: Member must have "
              "value greater than or equal to 1; Value '' at 'shardIterator' failed to satisfy constraint: Member "
              "must have length greater than or equal to 1");
}

TEST_F(ApiTest, DescribeStreamPatternBeforeLength) {
  ExpectError(Call("DescribeStream", R"({"StreamName":"x","Limit":100000,"ExclusiveStartShardId":""})"), 400,
              "ValidationException",
              "3 validation errors detected: Value '100000' at 'limit' failed to satisfy constraint: Member must have "
              "value less than or equal to 10000; Value '' at 'exclusiveStartShardId' failed to satisfy constraint: "
              "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value '' at 'exclusiveStartShardId' "
              "failed to satisfy constraint: Member must have length greater than or equal to 1");
}

TEST_F(ApiTest, BadStreamArnPattern) {
  ExpectError(Call("DescribeStreamSummary", R"({"StreamARN":"arn:aws:kinesis:us-east-1:123:stream/x"})"), 400,
              "ValidationException",
              "1 validation error detected: Value 'arn:aws:kinesis:us-east-1:123:stream/x' at 'streamARN' failed to "
              "satisfy constraint: Member must satisfy regular expression pattern: "
              "arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
}

TEST_F(ApiTest, SerializationStringGotNumber) {
  ExpectError(Call("CreateStream", R"({"StreamName":5})"), 400, "SerializationException",
              "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String");
}

TEST_F(ApiTest, SerializationBadBase64) {
  ExpectError(Call("PutRecord", R"({"StreamName":"x","PartitionKey":"a","Data":"abc"})"), 400, "SerializationException",
              "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but "
              "found: 3");
}

TEST_F(ApiTest, SerializationComesBeforeValidation) {
  // The ShardCount is invalid, but the type error is reported first.
  ExpectError(Call("CreateStream", R"({"ShardCount":0,"StreamName":["x"]})"), 400, "SerializationException",
              "Start of list found where not expected");
}

TEST_F(ApiTest, SerializationRecordsNotAList) {
  ExpectError(Call("PutRecords", R"({"StreamName":"x","Records":{}})"), 400, "SerializationException",
              "Start of structure or map found where not expected.");
  ExpectError(Call("PutRecords", R"({"StreamName":"x","Records":[5]})"), 400, "SerializationException",
              "Expected null");
}

TEST_F(ApiTest, SerializationBooleanGotString) {
  ExpectError(Call("DeleteStream", R"({"StreamName":"x","EnforceConsumerDeletion":"no"})"), 400,
              "SerializationException", "'NO' can not be converted to an Boolean");
}

TEST_F(ApiTest, NumbersAreFlooredNotRejected) {
  // 1.9 floors to 1, which is valid; the stream is created.
  ApiResponse r = Call("CreateStream", R"({"StreamName":"floored","ShardCount":1.9})");
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace sluice::api::testing
