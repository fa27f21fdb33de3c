#include "protocol/errors.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(ErrorsTest, NamesAndStatuses) {
  EXPECT_STREQ(ErrorTypeName(ErrorCode::kResourceNotFound), "ResourceNotFoundException");
  EXPECT_STREQ(ErrorTypeName(ErrorCode::kInvalidArgument), "InvalidArgumentException");
  EXPECT_STREQ(ErrorTypeName(ErrorCode::kSerialization), "SerializationException");
  EXPECT_STREQ(ErrorTypeName(ErrorCode::kUnknownOperation), "UnknownOperationException");
  EXPECT_STREQ(ErrorTypeName(ErrorCode::kKmsOptInRequired), "KMSOptInRequired");
  EXPECT_STREQ(ErrorTypeName(ErrorCode::kCorruption), "InternalFailure");
  EXPECT_STREQ(ErrorTypeName(ErrorCode::kIoError), "InternalFailure");
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternalFailure), 500);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kIoError), 500);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kCorruption), 500);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kResourceNotFound), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kValidation), 400);
}

TEST(ErrorsTest, NotLeaderIsARetryableInternalFailure) {
  EXPECT_STREQ(ErrorTypeName(ErrorCode::kNotLeader), "InternalFailure");
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotLeader), 500);
}

TEST(ErrorsTest, AuthenticationFailuresAreTheServicesExceptionsWith400) {
  EXPECT_STREQ(ErrorTypeName(ErrorCode::kMissingAuthenticationToken), "MissingAuthenticationTokenException");
  EXPECT_STREQ(ErrorTypeName(ErrorCode::kIncompleteSignature), "IncompleteSignatureException");
  EXPECT_STREQ(ErrorTypeName(ErrorCode::kInvalidSignature), "InvalidSignatureException");
  EXPECT_STREQ(ErrorTypeName(ErrorCode::kUnrecognizedClient), "UnrecognizedClientException");
  for (ErrorCode code : {ErrorCode::kMissingAuthenticationToken, ErrorCode::kIncompleteSignature,
                         ErrorCode::kInvalidSignature, ErrorCode::kUnrecognizedClient}) {
    EXPECT_EQ(HttpStatusFor(code), 400) << ErrorCodeName(code);
  }
}

TEST(ErrorsTest, JsonBodyUsesLowerCaseMessage) {
  EXPECT_EQ(EncodeJsonError(Status::NotFound("Stream s under account 000000000000 not found.")),
            R"({"__type":"ResourceNotFoundException","message":"Stream s under account 000000000000 not found."})");
}

TEST(ErrorsTest, SerializationExceptionUsesCapitalMessage) {
  EXPECT_EQ(EncodeJsonError(Status::Serialization("Expected null")),
            R"({"__type":"SerializationException","Message":"Expected null"})");
}

TEST(ErrorsTest, EmptyMessageIsOmitted) {
  EXPECT_EQ(EncodeJsonError(Status::Serialization("")), R"({"__type":"SerializationException"})");
  EXPECT_EQ(EncodeJsonError(Status(ErrorCode::kUnknownOperation, "")), R"({"__type":"UnknownOperationException"})");
}

TEST(ErrorsTest, MessagesAreEscaped) {
  EXPECT_EQ(EncodeJsonError(Status::InvalidArgument("a\"b")),
            R"({"__type":"InvalidArgumentException","message":"a\"b"})");
}

TEST(ErrorsTest, CborBodyIsAMapOfTextStrings) {
  std::string body = EncodeCborError(Status(ErrorCode::kUnknownOperation, ""));
  std::string expected = "\xa1\x66__type\x78\x19UnknownOperationException";
  EXPECT_EQ(body, expected);
}

}  // namespace
}  // namespace sluice::protocol
