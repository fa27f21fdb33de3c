// Request-level checks: target, content type, empty and malformed bodies,
// operations known to the model but not served yet.
#include "api_test_util.h"

namespace sluice::api::testing {
namespace {

TEST_F(ApiTest, UnknownOperationName) {
  ExpectError(Raw("Kinesis_20131202.Nope", "{}"), 400, "UnknownOperationException", "");
}

TEST_F(ApiTest, WrongTargetPrefix) {
  ExpectError(Raw("DynamoDB_20120810.PutRecord", "{}"), 400, "UnknownOperationException", "");
  ExpectError(Raw("", "{}"), 400, "UnknownOperationException", "");
}

TEST_F(ApiTest, EmptyBody) {
  ExpectError(Call("ListStreams", ""), 400, "SerializationException", "");
  ExpectError(Raw("Kinesis_20131202.Nope", ""), 400, "UnknownOperationException", "");
}

TEST_F(ApiTest, MalformedOrNonObjectBody) {
  ExpectError(Call("ListStreams", "{"), 400, "SerializationException", "");
  ExpectError(Call("ListStreams", "[]"), 400, "SerializationException", "");
  ExpectError(Call("ListStreams", "null"), 400, "SerializationException", "");
}

TEST_F(ApiTest, MalformedBodyIsReportedBeforeUnknownOperation) {
  ExpectError(Raw("Kinesis_20131202.Nope", "{"), 400, "SerializationException", "");
}

TEST_F(ApiTest, UnknownMembersAndNullsAreIgnored) {
  ApiResponse r = Call("ListStreams", R"({"Whatever":[1,2],"Limit":null,"ExclusiveStartStreamName":null})");
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(ApiTest, UnsupportedContentType) {
  ApiResponse r = Raw("Kinesis_20131202.ListStreams", "{}", "text/plain");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "<UnknownOperationException/>\n");
  ApiResponse no_target = Raw("", "{}", "text/plain");
  EXPECT_EQ(no_target.status, 403);
  EXPECT_NE(no_target.body.find("Unable to determine service/operation name to be authorized"), std::string::npos);
}

TEST_F(ApiTest, EmptyBodyWithoutJsonContentTypeAnswersInCbor) {
  ApiResponse r = Raw("Kinesis_20131202.ListStreams", "", "");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/x-amz-cbor-1.1");
  EXPECT_EQ(r.error_type, "SerializationException");
  EXPECT_EQ(r.body, std::string("\xa1\x66__type\x76SerializationException"));
}

}  // namespace
}  // namespace sluice::api::testing
