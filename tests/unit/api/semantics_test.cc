// Semantic checks after validation: addressing, hash keys, iterator types.
#include "api_test_util.h"

namespace sluice::api::testing {
namespace {

TEST_F(ApiTest, StreamNameAndArnBothAbsent) {
  ExpectError(Call("DescribeStream", "{}"), 400, "InvalidArgumentException",
              "Stream arn and stream name can't be empty at the same time");
  ExpectError(Call("PutRecord", R"({"PartitionKey":"a","Data":"YQ=="})"), 400, "InvalidArgumentException",
              "Stream arn and stream name can't be empty at the same time");
}

TEST_F(ApiTest, ArnAndNameMustAgree) {
  CreateActiveStream("one", 1);
  ApiResponse r = Call("DescribeStreamSummary",
                       R"({"StreamName":"two","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/one"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_type, "InvalidArgumentException");
  EXPECT_EQ(Call("DescribeStreamSummary",
                 R"({"StreamName":"one","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/one"})")
                .status,
            200);
}

TEST_F(ApiTest, ArnSelectsTheNamespace) {
  CreateActiveStream("ns", 1);
  ExpectError(Call("DescribeStreamSummary", R"({"StreamARN":"arn:aws:kinesis:eu-west-1:111111111111:stream/ns"})"), 400,
              "ResourceNotFoundException", "Stream ns under account 111111111111 not found.");
}

TEST_F(ApiTest, ExplicitHashKeyOutOfRange) {
  CreateActiveStream("h", 1);
  ExpectError(Call("PutRecord", R"({"StreamName":"h","PartitionKey":"a","Data":"YQ==",)"
                                R"("ExplicitHashKey":"340282366920938463463374607431768211456"})"),
              400, "InvalidArgumentException",
              "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was "
              "340282366920938463463374607431768211456");
  ExpectError(
      Call("PutRecords",
           R"({"StreamName":"h","Records":[{"PartitionKey":"a","Data":"YQ=="},)"
           R"({"PartitionKey":"a","Data":"YQ==","ExplicitHashKey":"999999999999999999999999999999999999999"}]})"),
      400, "InvalidArgumentException",
      "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was "
      "999999999999999999999999999999999999999");
}

TEST_F(ApiTest, ExplicitHashKeyRoutes) {
  CreateActiveStream("route", 2);
  Json j(Ok("PutRecord", R"({"StreamName":"route","PartitionKey":"a","Data":"YQ==",)"
                         R"("ExplicitHashKey":"340282366920938463463374607431768211455"})"));
  EXPECT_EQ(std::string_view(j.root["ShardId"]), "shardId-000000000001");
}

TEST_F(ApiTest, StartingSequenceNumberCombinations) {
  CreateActiveStream("it", 1);
  ExpectError(Call("GetShardIterator", R"({"StreamName":"it","ShardId":"shardId-000000000000",)"
                                       R"("ShardIteratorType":"TRIM_HORIZON","StartingSequenceNumber":"1"})"),
              400, "InvalidArgumentException",
              "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) "
              "TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified TRIM_HORIZON and also a "
              "StartingSequenceNumber.");
  ExpectError(Call("GetShardIterator", R"({"StreamName":"it","ShardId":"shardId-000000000000",)"
                                       R"("ShardIteratorType":"AFTER_SEQUENCE_NUMBER"})"),
              400, "InvalidArgumentException",
              "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) "
              "TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified AFTER_SEQUENCE_NUMBER and no "
              "StartingSequenceNumber.");
}

TEST_F(ApiTest, AtTimestampNeedsATimestampNotInTheFuture) {
  CreateActiveStream("at", 1);
  ExpectError(Call("GetShardIterator", R"({"StreamName":"at","ShardId":"shardId-000000000000",)"
                                       R"("ShardIteratorType":"AT_TIMESTAMP"})"),
              400, "InvalidArgumentException",
              "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no "
              "timestamp parameter.");
  ExpectError(Call("GetShardIterator", R"({"StreamName":"at","ShardId":"shardId-000000000000",)"
                                       R"("ShardIteratorType":"AT_TIMESTAMP","Timestamp":1700000001})"),
              400, "InvalidArgumentException",
              "The timestampInMillis parameter cannot be greater than the currentTimestampInMillis. "
              "timestampInMillis: 1700000001000, currentTimestampInMillis: 1700000000000");
}

TEST_F(ApiTest, AtTimestampFindsLaterRecords) {
  CreateActiveStream("att", 1);
  Ok("PutRecord", R"({"StreamName":"att","PartitionKey":"k","Data":"MQ=="})");
  clock_.Advance(5000);
  Ok("PutRecord", R"({"StreamName":"att","PartitionKey":"k","Data":"Mg=="})");
  Json it(Ok("GetShardIterator", R"({"StreamName":"att","ShardId":"shardId-000000000000",)"
                                 R"("ShardIteratorType":"AT_TIMESTAMP","Timestamp":1700000002.5})"));
  Json got(
      Ok("GetRecords", R"({"ShardIterator":")" + std::string(std::string_view(it.root["ShardIterator"])) + R"("})"));
  simdjson::dom::array records = got.root["Records"];
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(std::string_view(records.at(0)["Data"]), "Mg==");
}

TEST_F(ApiTest, GarbageIteratorIsInvalid) {
  ExpectError(Call("GetRecords", R"({"ShardIterator":"bm90IGFuIGl0ZXJhdG9y"})"), 400, "InvalidArgumentException",
              "Invalid ShardIterator.");
}

TEST_F(ApiTest, PutRecordsToMissingStream) {
  ExpectError(Call("PutRecords", R"({"StreamName":"missing","Records":[{"PartitionKey":"a","Data":"YQ=="}]})"), 400,
              "ResourceNotFoundException", "Stream missing under account 000000000000 not found.");
}

TEST_F(ApiTest, ProvisionedStreamNeedsShardCount) {
  ApiResponse r = Call("CreateStream", R"({"StreamName":"noshards"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_type, "InvalidArgumentException");
}

TEST_F(ApiTest, OnDemandStreamWithoutShardCount) {
  ApiResponse r = Call("CreateStream", R"({"StreamName":"od","StreamModeDetails":{"StreamMode":"ON_DEMAND"}})");
  EXPECT_EQ(r.status, 200) << r.body;
  ExpectError(Call("CreateStream", R"({"StreamName":"od2","StreamModeDetails":{"StreamMode":"FAST"}})"), 400,
              "ValidationException",
              "1 validation error detected: Value 'FAST' at 'streamModeDetails.streamMode' failed to satisfy "
              "constraint: Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]");
}

TEST_F(ApiTest, SequenceNumberForOrdering) {
  CreateActiveStream("ord", 1);
  Json first(Ok("PutRecord", R"({"StreamName":"ord","PartitionKey":"k","Data":"MQ=="})"));
  std::string seq(std::string_view(first.root["SequenceNumber"]));
  Json second(Ok("PutRecord", R"({"StreamName":"ord","PartitionKey":"k","Data":"Mg==","SequenceNumberForOrdering":")" +
                                  seq + R"("})"));
  EXPECT_GT(std::string(std::string_view(second.root["SequenceNumber"])), seq);
  ExpectError(
      Call("PutRecord", R"({"StreamName":"ord","PartitionKey":"k","Data":"Mg==","SequenceNumberForOrdering":"123"})"),
      400, "InvalidArgumentException",
      "ExclusiveMinimumSequenceNumber 123 used in PutRecord on stream ord under account 000000000000 is "
      "invalid.");
}

TEST_F(ApiTest, PutRecordsOverTenMiBIsRejectedWhole) {
  CreateActiveStream("big", 1);
  std::string blob = std::string(1333336, 'A');  // base64 of 1,000,002 bytes
  std::string body = R"({"StreamName":"big","Records":[)";
  for (int i = 0; i < 11; ++i) body += std::string(i ? "," : "") + R"({"PartitionKey":"k","Data":")" + blob + R"("})";
  body += "]}";
  ApiResponse r = Call("PutRecords", body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_type, "InvalidArgumentException");
  EXPECT_NE(r.body.find("exceeds the PutRecords limit of 10485760 bytes"), std::string::npos) << r.body.substr(0, 300);
}

TEST_F(ApiTest, RecordOverTheStreamMaximumIsRejected) {
  CreateActiveStream("maxrec", 1);
  std::string blob = std::string(1398104, 'A');  // base64 of 1,048,578 bytes > 1 MiB
  ApiResponse r = Call("PutRecord", R"({"StreamName":"maxrec","PartitionKey":"k","Data":")" + blob + R"("})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.error_type, "InvalidArgumentException");
}

TEST_F(ApiTest, CborRequestsShareTheJsonHandlersAndAnswerInCbor) {
  CreateActiveStream("c", 1);
  // {"StreamName": "c", "Limit": 5} as CBOR.
  const std::string describe(
      "\xa2\x6aStreamName\x61"
      "c"
      "\x65Limit\x05",
      21);
  ApiResponse r = Raw("Kinesis_20131202.DescribeStreamSummary", describe, "application/x-amz-cbor-1.1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/x-amz-cbor-1.1");
  ASSERT_FALSE(r.body.empty());
  EXPECT_EQ(static_cast<unsigned char>(r.body[0]), 0xa1);  // a map: {StreamDescriptionSummary: ...}
  EXPECT_NE(r.body.find("StreamDescriptionSummary"), std::string::npos);
  // StreamCreationTimestamp as tag 1 (0xc1) with integer milliseconds.
  size_t at = r.body.find("StreamCreationTimestamp");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(static_cast<unsigned char>(r.body[at + 23]), 0xc1);
}

TEST_F(ApiTest, CborPutRecordDataIsAByteStringBothWays) {
  CreateActiveStream("c", 1);
  // {"StreamName":"c","PartitionKey":"k","Data":h'00ff'} as CBOR.
  const std::string put(
      "\xa3\x6aStreamName\x61"
      "c"
      "\x6cPartitionKey\x61k\x64"
      "Data\x42\x00\xff",
      37);
  ApiResponse r = Raw("Kinesis_20131202.PutRecord", put, "application/x-amz-cbor-1.1");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("SequenceNumber"), std::string::npos);
  Json it(Ok("GetShardIterator",
             R"({"StreamName":"c","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})"));
  std::string iterator(std::string_view(it.root["ShardIterator"]));
  // {"ShardIterator": <it>} as CBOR (text string with a 2-byte length).
  std::string get("\xa1\x6dShardIterator\x79", 16);
  get.push_back(static_cast<char>(iterator.size() >> 8));
  get.push_back(static_cast<char>(iterator.size() & 0xff));
  get += iterator;
  ApiResponse g = Raw("Kinesis_20131202.GetRecords", get, "application/x-amz-cbor-1.1");
  ASSERT_EQ(g.status, 200);
  // "Data" followed by a 2-byte byte string 00 ff.
  EXPECT_NE(g.body.find(std::string("\x64"
                                    "Data\x42\x00\xff",
                                    8)),
            std::string::npos);
}

TEST_F(ApiTest, CborErrorsAreCbor) {
  ApiResponse r = Raw("Kinesis_20131202.DescribeStreamSummary", std::string("\xa1\x6aStreamName\x61z", 14),
                      "application/x-amz-cbor-1.1");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/x-amz-cbor-1.1");
  EXPECT_EQ(r.error_type, "ResourceNotFoundException");
  EXPECT_EQ(static_cast<unsigned char>(r.body[0]), 0xa2);  // CBOR map of __type and message
  ApiResponse bad = Raw("Kinesis_20131202.ListStreams", "\xff\x00", "application/x-amz-cbor-1.1");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.error_type, "SerializationException");
}

}  // namespace
}  // namespace sluice::api::testing
