// SigV4 for services other than Kinesis, against published signatures: the
// AWS documentation's S3 example (GET Object, "Examples: Signature
// Calculations in AWS Signature Version 4", Amazon S3 API Reference) and
// one botocore 1.43 made (S3SigV4Auth("s3", "us-east-1").add_auth, the
// X-Amz-Date it chose recorded with its answer).
#include "http/sigv4_signer.h"

#include <gtest/gtest.h>

namespace sluice::http {
namespace {

const AwsCredentials kDocCredentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};

TEST(SigV4Signer, MatchesTheAwsDocumentationsS3GetObjectExample) {
  const HeaderList headers = {
      {"Host", "examplebucket.s3.amazonaws.com"},
      {"Range", "bytes=0-9"},
      {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"x-amz-date", "20130524T000000Z"}};
  EXPECT_EQ(AuthorizationHeader(kDocCredentials, "us-east-1", "s3", "20130524T000000Z", "GET", "/test.txt", "", headers,
                                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Signer, SignRequestMatchesBotocoreForAnS3PutWithAnEncodedKeyAndQuery) {
  Request r;
  r.method = "PUT";
  r.target = "/photos/my%20file%2B1.txt?partNumber=2&uploadId=abc";
  r.headers = {{"Content-Type", "text/plain"}};
  r.body = "Welcome to Amazon S3.";
  SignRequest(kDocCredentials, {"us-east-1", "s3", true}, 1796612710, "examplebucket.s3.amazonaws.com", &r);
  EXPECT_EQ(r.Header("host"), "examplebucket.s3.amazonaws.com");
  EXPECT_EQ(r.Header("x-amz-date"), "20261207T030510Z");
  EXPECT_EQ(r.Header("x-amz-content-sha256"), "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(r.Header("authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261207/us-east-1/s3/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, "
            "Signature=e3fa2b740eab40976d479f0daf4f4ce56bf62ab1569838c7449603711580680b");
}

TEST(SigV4Signer, ASessionTokenIsSentAndSigned) {
  Request r;
  r.target = "/";
  SignRequest({"AKID", "secret", "token-1"}, {"eu-west-1", "sqs"}, 1796612710, "sqs.example", &r);
  EXPECT_EQ(r.Header("x-amz-security-token"), "token-1");
  EXPECT_NE(r.Header("authorization").find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
            std::string_view::npos)
      << r.Header("authorization");
  EXPECT_NE(r.Header("authorization").find("/eu-west-1/sqs/aws4_request"), std::string_view::npos);
}

}  // namespace
}  // namespace sluice::http
