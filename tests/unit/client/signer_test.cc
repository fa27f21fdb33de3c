// The client's SigV4 signer against signatures botocore's SigV4Auth made for
// the same requests (botocore 1.43: AWSRequest + SigV4Auth("kinesis", region)
// .add_auth, the X-Amz-Date it chose recorded with its answer).
#include "client/signer.h"

#include <gtest/gtest.h>

#include "client/config.h"

namespace sluice::client {
namespace {

TEST(Signer, MatchesBotocoreForAPlainEndpointWithAPort) {
  SigningRequest r;
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"},
               {"X-Amz-Target", "Kinesis_20131202.DescribeStream"},
               {"X-Amz-Date", "20261124T234108Z"},
               {"Host", "127.0.0.1:4567"}};
  r.body = R"({"StreamName":"orders"})";
  const Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(AuthorizationHeader(creds, "us-east-1", "kinesis", "20261124T234108Z", r),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/kinesis/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
            "Signature=a767cc03ade61690234e7d2eb8554ede7a3d94707d890eb800d86f9a0170aee8");
}

TEST(Signer, MatchesBotocoreWithASessionToken) {
  SigningRequest r;
  r.headers = {{"Content-Type", "application/x-amz-json-1.1"},
               {"X-Amz-Target", "Kinesis_20131202.PutRecords"},
               {"X-Amz-Date", "20261124T234108Z"},
               {"X-Amz-Security-Token", "FwoGZXIvYXdzEXAMPLETOKEN"},
               {"Host", "kinesis.eu-west-1.amazonaws.com"}};
  r.body = R"({"StreamName":"s","Records":[{"Data":"aGk=","PartitionKey":"k"}]})";
  const Credentials creds{"AKIAIOSFODNN7EXAMPLE", "secret/with+chars", "FwoGZXIvYXdzEXAMPLETOKEN"};
  EXPECT_EQ(AuthorizationHeader(creds, "eu-west-1", "kinesis", "20261124T234108Z", r),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261124/eu-west-1/kinesis/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
            "Signature=a5ef9e0391be9961f1c937e0c0ecaae29d4b009efa42478fa0a980608b5fd08e");
}

TEST(Signer, TheSignatureCoversTheBody) {
  SigningRequest a;
  a.headers = {{"Host", "h"}, {"X-Amz-Date", "20261124T234108Z"}};
  a.body = "{}";
  SigningRequest b = a;
  b.body = "{ }";
  const Credentials creds{"AK", "SK", ""};
  EXPECT_NE(AuthorizationHeader(creds, "r", "kinesis", "20261124T234108Z", a),
            AuthorizationHeader(creds, "r", "kinesis", "20261124T234108Z", b));
}

TEST(AmzDateFormat, IsIsoBasicUtc) { EXPECT_EQ(AmzDate(1795559400), "20261124T223000Z"); }

TEST(EndpointUrl, ParsesSchemesPortsAndHostHeaders) {
  Outcome<EndpointAddress> a = ParseEndpointUrl("http://127.0.0.1:4567");
  ASSERT_TRUE(a.ok());
  EXPECT_FALSE(a->tls);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 4567);
  EXPECT_EQ(a->host_header, "127.0.0.1:4567");

  Outcome<EndpointAddress> b = ParseEndpointUrl("https://kinesis.eu-west-1.amazonaws.com/");
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(b->tls);
  EXPECT_EQ(b->port, 443);
  EXPECT_EQ(b->host_header, "kinesis.eu-west-1.amazonaws.com");

  Outcome<EndpointAddress> c = ParseEndpointUrl("http://[::1]:8080");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "::1");
  EXPECT_EQ(c->host_header, "[::1]:8080");

  EXPECT_FALSE(ParseEndpointUrl("127.0.0.1:4567").ok());
  EXPECT_FALSE(ParseEndpointUrl("http://h:99999").ok());
  EXPECT_FALSE(ParseEndpointUrl("http://h:1/path").ok());
  EXPECT_EQ(ParseEndpointUrl("ftp://h").error().type, "ClientError");
}

TEST(ClientConfigEnvironment, EndpointRegionAndKeysComeFromTheAwsVariables) {
  setenv("SLUICE_ENDPOINT", "http://10.0.0.1:1234", 1);
  setenv("AWS_ENDPOINT_URL", "http://ignored:1", 1);
  setenv("AWS_REGION", "ap-south-1", 1);
  setenv("AWS_ACCESS_KEY_ID", "AKX", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "SKX", 1);
  ClientConfig c = ClientConfig::FromEnvironment();
  EXPECT_EQ(c.endpoint, "http://10.0.0.1:1234");
  EXPECT_EQ(c.region, "ap-south-1");
  EXPECT_EQ(c.credentials.access_key_id, "AKX");
  EXPECT_EQ(c.credentials.secret_access_key, "SKX");
  unsetenv("SLUICE_ENDPOINT");
  EXPECT_EQ(ClientConfig::FromEnvironment().endpoint, "http://ignored:1");
  for (const char* v : {"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) unsetenv(v);
  EXPECT_EQ(ClientConfig::FromEnvironment().endpoint, "http://127.0.0.1:4567");
}

}  // namespace
}  // namespace sluice::client
