// The S3 client against a real HTTP server (src/server) on a loopback port
// that records each request and answers as S3 would; signatures are checked
// with the server's own SigV4 verifier (src/auth).
#include "object_store/s3_client.h"

#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "auth/signing.h"
#include "auth/sigv4.h"
#include "object_store/s3_errors.h"
#include "server/server.h"
#include "util/clock.h"

namespace sluice::object_store {
namespace {

struct Recorded {
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;

  std::string Header(std::string_view lower_name) const {
    for (const auto& [n, v] : headers)
      if (n == lower_name) return v;
    return "";
  }
};

// Answers every request with `status` and `body`, keeping what it received.
class FakeS3 {
 public:
  FakeS3() {
    server::ServerOptions o;
    o.host = "127.0.0.1";
    o.port = 0;
    auto s = server::Server::Create(o, [this](const server::HttpRequest& req, server::Responder respond) {
      Recorded r{std::string(req.method), std::string(req.target), std::string(req.body), {}};
      for (const auto& h : req.headers) r.headers.emplace_back(std::string(h.name), std::string(h.value));
      server::HttpResponse answer;
      {
        std::lock_guard lock(mu_);
        requests_.push_back(std::move(r));
        answer.status = status_;
        answer.body = body_;
      }
      respond(std::move(answer));
    });
    if (!s.ok()) {
      ADD_FAILURE() << s.status().ToString();
      return;
    }
    server_ = std::move(s).value();
    server_->Start();
  }
  ~FakeS3() {
    if (server_) server_->Shutdown(1000);
  }

  void Answer(int status, std::string body) {
    std::lock_guard lock(mu_);
    status_ = status;
    body_ = std::move(body);
  }
  Recorded Last() {
    std::lock_guard lock(mu_);
    return requests_.empty() ? Recorded{} : requests_.back();
  }
  std::string Url() const { return "http://127.0.0.1:" + std::to_string(server_ ? server_->port() : 0); }

 private:
  std::unique_ptr<server::Server> server_;
  std::mutex mu_;
  std::vector<Recorded> requests_;
  int status_ = 200;
  std::string body_;
};

S3Options OptionsFor(const FakeS3& s3) {
  S3Options o;
  o.endpoint = s3.Url();
  o.region = "eu-west-1";
  o.access_key_id = "AKIDS3TEST";
  o.secret_access_key = "s3-secret";
  o.timeout_ms = 5000;
  return o;
}

std::unique_ptr<S3Client> MakeClient(const S3Options& options) {
  auto made = S3Client::Create(options);
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return made.ok() ? std::move(made).value() : nullptr;
}

// What the verifier says of a recorded request signed with `secret`.
Result<auth::Identity> VerifyRecorded(const Recorded& r, const std::string& secret) {
  std::vector<auth::HeaderField> fields;
  for (const auto& [n, v] : r.headers) fields.push_back({n, v});
  auth::CredentialMap keys;
  keys["AKIDS3TEST"] = auth::Credential{secret, std::nullopt, "test"};
  auth::SigV4Verifier verifier(std::move(keys), "123456789012");
  return verifier.Verify({r.method, r.target, fields, r.body}, SystemClock::Instance().NowMillis());
}

TEST(S3Client, PutSendsAPathStyleSignedPutWithTheObjectsHeaders) {
  FakeS3 s3;
  auto client = MakeClient(OptionsFor(s3));
  ASSERT_NE(client, nullptr);
  PutOptions po;
  po.content_type = "application/json";
  po.content_encoding = "gzip";
  po.storage_class = "STANDARD_IA";
  po.expected_owner = "111122223333";
  ASSERT_TRUE(client->Put("my-bucket", "channel/2026/01/part-0.json", "{\"a\":1}", po).ok());

  const Recorded r = s3.Last();
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target, "/my-bucket/channel/2026/01/part-0.json");
  EXPECT_EQ(r.body, "{\"a\":1}");
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("content-encoding"), "gzip");
  EXPECT_EQ(r.Header("x-amz-storage-class"), "STANDARD_IA");
  EXPECT_EQ(r.Header("x-amz-expected-bucket-owner"), "111122223333");
  EXPECT_EQ(r.Header("x-amz-content-sha256"), auth::Sha256Hex("{\"a\":1}"));
  const std::string authorization = r.Header("authorization");
  EXPECT_NE(authorization.find("/eu-west-1/s3/aws4_request"), std::string::npos) << authorization;
  EXPECT_NE(authorization.find("SignedHeaders=content-encoding;content-type;host;x-amz-content-sha256;x-amz-date;"
                               "x-amz-expected-bucket-owner;x-amz-storage-class,"),
            std::string::npos)
      << authorization;

  Result<auth::Identity> verified = VerifyRecorded(r, "s3-secret");
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->service, "s3");
  EXPECT_EQ(verified->region, "eu-west-1");
  EXPECT_FALSE(VerifyRecorded(r, "another-secret").ok());
}

TEST(S3Client, OptionalHeadersAreLeftOutAndASessionTokenIsSent) {
  FakeS3 s3;
  S3Options o = OptionsFor(s3);
  o.session_token = "session-1";
  auto client = MakeClient(o);
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Put("b", "k", "", {}).ok());
  const Recorded r = s3.Last();
  EXPECT_EQ(r.Header("content-type"), "application/octet-stream");
  EXPECT_EQ(r.Header("content-encoding"), "");
  EXPECT_EQ(r.Header("x-amz-storage-class"), "");
  EXPECT_EQ(r.Header("x-amz-expected-bucket-owner"), "");
  EXPECT_EQ(r.Header("x-amz-security-token"), "session-1");
  EXPECT_TRUE(VerifyRecorded(r, "s3-secret").ok());
}

TEST(S3Client, KeysAreEncodedPerSegmentKeepingSlashes) {
  EXPECT_EQ(S3ObjectPath("b", "a b/c+d/é~_-.x"), "/b/a%20b/c%2Bd/%C3%A9~_-.x");
  FakeS3 s3;
  auto client = MakeClient(OptionsFor(s3));
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Put("b", "dir/a b=1?.json", "x", {}).ok());
  EXPECT_EQ(s3.Last().target, "/b/dir/a%20b%3D1%3F.json");
}

TEST(S3Client, S3ErrorAnswersBecomeStatuses) {
  FakeS3 s3;
  auto client = MakeClient(OptionsFor(s3));
  ASSERT_NE(client, nullptr);
  auto put = [&](int status, const std::string& code) {
    s3.Answer(status, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code +
                          "</Code><Message>It went &lt;wrong&gt;</Message><RequestId>1</RequestId></Error>");
    return client->Put("b", "k", "x", {});
  };
  Status s = put(404, "NoSuchBucket");
  EXPECT_EQ(s.code(), ErrorCode::kResourceNotFound);
  EXPECT_EQ(s.message(), "PUT /b/k: It went <wrong> (NoSuchBucket, HTTP 404)");
  EXPECT_EQ(put(403, "AccessDenied").code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(put(403, "SignatureDoesNotMatch").code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(put(403, "InvalidAccessKeyId").code(), ErrorCode::kAccessDenied);
  s = put(503, "SlowDown");
  EXPECT_EQ(s.code(), ErrorCode::kIoError);
  EXPECT_TRUE(IsRetryableS3Error(s)) << s.ToString();
  EXPECT_TRUE(IsRetryableS3Error(put(500, "InternalError")));
  s = put(400, "InvalidBucketName");
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(IsRetryableS3Error(s));
}

TEST(S3Client, AnAnswerWithoutAnXmlBodyIsMappedByItsStatus) {
  EXPECT_EQ(S3ErrorStatus(403, "", "HEAD /b").code(), ErrorCode::kAccessDenied);
  EXPECT_EQ(S3ErrorStatus(502, "<html>bad gateway</html>", "PUT /b/k").message(), "retryable: PUT /b/k: HTTP 502");
  EXPECT_EQ(S3ErrorStatus(405, "", "PUT /b/k").code(), ErrorCode::kInvalidArgument);
}

TEST(S3Client, BadBucketsAndKeysAreRefusedBeforeAnyRequest) {
  FakeS3 s3;
  auto client = MakeClient(OptionsFor(s3));
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->Put("", "k", "x", {}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(client->Put("a/b", "k", "x", {}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(client->Put("b", "", "x", {}).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(client->Put("b", std::string(1025, 'k'), "x", {}).code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(s3.Last().method.empty());
}

TEST(S3Client, CreateNeedsCredentialsAndAUrlWithoutAPath) {
  S3Options o;
  o.endpoint = "http://127.0.0.1:9000";
  EXPECT_EQ(S3Client::Create(o).status().code(), ErrorCode::kInvalidArgument);
  o.access_key_id = "a";
  o.secret_access_key = "s";
  EXPECT_TRUE(S3Client::Create(o).ok());
  o.endpoint = "http://127.0.0.1:9000/bucket";
  EXPECT_EQ(S3Client::Create(o).status().code(), ErrorCode::kInvalidArgument);
}

TEST(S3Client, CheckEndpointAcceptsAListOfBucketsOrAPolicysRefusal) {
  FakeS3 s3;
  auto client = MakeClient(OptionsFor(s3));
  ASSERT_NE(client, nullptr);
  s3.Answer(200, "<ListAllMyBucketsResult><Buckets/></ListAllMyBucketsResult>");
  EXPECT_TRUE(client->CheckEndpoint().ok());
  EXPECT_EQ(s3.Last().method, "GET");
  EXPECT_EQ(s3.Last().target, "/");
  EXPECT_TRUE(VerifyRecorded(s3.Last(), "s3-secret").ok());
  s3.Answer(403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
  EXPECT_TRUE(client->CheckEndpoint().ok());
  s3.Answer(403, "<Error><Code>InvalidAccessKeyId</Code><Message>no such key</Message></Error>");
  EXPECT_EQ(client->CheckEndpoint().code(), ErrorCode::kAccessDenied);
  s3.Answer(200, "{\"not\":\"s3\"}");
  EXPECT_EQ(client->CheckEndpoint().code(), ErrorCode::kBadResponse);
}

TEST(S3Client, CheckEndpointOfAClosedPortIsConnectionFailed) {
  S3Options o;
  {
    FakeS3 gone;
    o = OptionsFor(gone);
  }
  auto client = MakeClient(o);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->CheckEndpoint().code(), ErrorCode::kConnectionFailed);
}

}  // namespace
}  // namespace sluice::object_store
