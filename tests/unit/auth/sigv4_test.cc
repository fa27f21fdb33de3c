#include "auth/sigv4.h"

#include <gtest/gtest.h>

#include <cctype>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "auth/signing.h"

namespace sluice::auth {
namespace {

// The vectors below were produced by botocore's signer (botocore.auth.SigV4Auth
// and SigV4QueryAuth, botocore 1.43) on exactly these inputs, with its clock
// frozen at 2026-11-24T22:30:00Z and the credentials AKIDEXAMPLE /
// wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY. botocore signs the Host header it
// derives from the URL, so the requests here carry it explicitly.
constexpr char kAccessKey[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr int64_t kSignedAtMs = 1795559400000;  // 20261124T223000Z
constexpr char kDefaultAccount[] = "000000000000";

constexpr char kSignatureMismatch[] =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details.";

// Owns a request's bytes and hands out a RequestView of them.
struct TestRequest {
  std::string method = "POST";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::vector<HeaderField> fields;

  RequestView View() {
    fields.clear();
    for (const auto& [name, value] : headers) fields.push_back({name, value});
    return RequestView{method, target, fields, body};
  }
  void Set(const std::string& name, const std::string& value) {
    for (auto& [n, v] : headers) {
      if (n == name) v = value;
    }
  }
  void Remove(const std::string& name) {
    std::erase_if(headers, [&](const auto& h) { return h.first == name; });
  }
};

TestRequest PutRecord() {
  TestRequest r;
  r.headers = {
      {"Host", "kinesis.us-east-1.amazonaws.com"},
      {"Content-Type", "application/x-amz-json-1.1"},
      {"X-Amz-Target", "Kinesis_20131202.PutRecord"},
      {"User-Agent", "Boto3/1.0 test"},
      {"X-Amz-Date", "20261124T223000Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/kinesis/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
       "Signature=89fb449da91f123097cb73497ce0275ba90847602bfd6c3fd810dcc5efaa0c6f"},
      {"Content-Length", "63"},
  };
  r.body = R"({"StreamName":"orders","Data":"aGVsbG8=","PartitionKey":"pk-1"})";
  return r;
}

TestRequest WithSecurityToken() {
  TestRequest r;
  r.headers = {
      {"Host", "kinesis.eu-west-1.amazonaws.com"},
      {"Content-Type", "application/x-amz-json-1.1"},
      {"X-Amz-Target", "Kinesis_20131202.ListStreams"},
      {"X-Amz-Date", "20261124T223000Z"},
      {"X-Amz-Security-Token", "FQoGZXIvYXdzEXAMPLETOKEN//+=="},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/eu-west-1/kinesis/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, "
       "Signature=0761d661562e893c9740613e80ba043e48c2a33f65a8d1c2c6069d7e4c322008"},
  };
  r.body = R"({"Limit":10})";
  return r;
}

TestRequest Presigned() {
  TestRequest r;
  r.method = "GET";
  r.target =
      "/?Action=ListStreams&Limit=5&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261124%2Fus-"
      "east-1%2Fkinesis%2Faws4_request&X-Amz-Date=20261124T223000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-"
      "Signature=8e5b0679f001ab755ab9ee5fec479345a337cf21d58c1a387319befb6dd9fa6c";
  r.headers = {{"Host", "kinesis.us-east-1.amazonaws.com"}};
  return r;
}

// Header value whitespace collapsing and query-string ordering.
TestRequest Whitespace() {
  TestRequest r;
  r.target = "/?b=2&a=z&a=y&c%20d=e%2Ff";
  r.headers = {
      {"Host", "kinesis.us-east-1.amazonaws.com"},
      {"Content-Type", "application/x-amz-json-1.1"},
      {"X-Amz-Target", "Kinesis_20131202.ListStreams"},
      {"X-Custom", "  one   two\tthree  "},
      {"X-Amz-Date", "20261124T223000Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/kinesis/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-custom, "
       "Signature=b26fdff0509d6795a8a0acd60e63a264035f2882348037b53e509a5b7e1874fd"},
  };
  r.body = "{}";
  return r;
}

// A header sent twice: botocore signs "x-multi:first,second value".
TestRequest Repeated() {
  TestRequest r;
  r.headers = {
      {"Host", "kinesis.us-east-1.amazonaws.com"},
      {"Content-Type", "application/x-amz-json-1.1"},
      {"X-Amz-Target", "Kinesis_20131202.ListStreams"},
      {"X-Multi", "first"},
      {"X-Multi", "  second  value "},
      {"X-Amz-Date", "20261124T223000Z"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/kinesis/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-date;x-amz-target;x-multi, "
       "Signature=ebc995528e62f7fd93261a98aa6106c75e6d8305df7bf486c7536dbce01870aa"},
  };
  r.body = "{}";
  return r;
}

TestRequest UnsignedPayload() {
  TestRequest r;
  r.headers = {
      {"Host", "kinesis.us-east-1.amazonaws.com"},
      {"Content-Type", "application/x-amz-json-1.1"},
      {"X-Amz-Target", "Kinesis_20131202.ListStreams"},
      {"X-Amz-Date", "20261124T223000Z"},
      {"X-Amz-Content-SHA256", "UNSIGNED-PAYLOAD"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/kinesis/aws4_request, "
       "SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, "
       "Signature=bc577d491ddc68ad54d8cbedb2d6e263cb02e02e1091290b2d745006220393c3"},
  };
  r.body = R"({"any":"body"})";
  return r;
}

CredentialMap Credentials(std::string secret = kSecret) {
  CredentialMap map;
  map[kAccessKey] = Credential{std::move(secret), std::nullopt, "default"};
  return map;
}

// What a failed check tells the client: the code (its `__type` and HTTP
// status come from the service's error table) and the service's text.
struct Failure {
  ErrorCode code = ErrorCode::kOk;
  std::string message;
  bool operator==(const Failure&) const = default;
};

void PrintTo(const Failure& f, std::ostream* os) { *os << ErrorCodeName(f.code) << ": " << f.message; }

Failure FailureOf(const Status& status) { return Failure{status.code(), status.message()}; }

class SigV4Test : public ::testing::Test {
 protected:
  Result<Identity> Verify(TestRequest r, int64_t now_ms = kSignedAtMs) { return verifier_.Verify(r.View(), now_ms); }
  // The error of a request that must fail.
  Failure Fail(TestRequest r, int64_t now_ms = kSignedAtMs) {
    auto result = Verify(std::move(r), now_ms);
    EXPECT_FALSE(result.ok());
    return FailureOf(result.status());
  }
  void ExpectOk(TestRequest r, int64_t now_ms = kSignedAtMs) {
    auto result = Verify(std::move(r), now_ms);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
  }

  SigV4Verifier verifier_{Credentials(), kDefaultAccount};
};

// ---- botocore vectors ----

TEST_F(SigV4Test, BotocorePutRecordVerifies) {
  auto id = Verify(PutRecord());
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id.value(), (Identity{kAccessKey, kDefaultAccount, "us-east-1", "kinesis", ""}));
}

TEST_F(SigV4Test, BotocoreSecurityTokenIsSignedAndPassedThrough) {
  auto id = Verify(WithSecurityToken());
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id->region, "eu-west-1");
  EXPECT_EQ(id->session_token, "FQoGZXIvYXdzEXAMPLETOKEN//+==");
  TestRequest tampered = WithSecurityToken();
  tampered.Set("X-Amz-Security-Token", "another-token");
  EXPECT_EQ(Fail(tampered).message, kSignatureMismatch);
}

TEST_F(SigV4Test, BotocorePresignedQueryVerifies) {
  auto id = Verify(Presigned());
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(id.value(), (Identity{kAccessKey, kDefaultAccount, "us-east-1", "kinesis", ""}));
}

TEST_F(SigV4Test, BotocoreWhitespaceCollapsingAndQueryOrdering) { ExpectOk(Whitespace()); }

TEST_F(SigV4Test, BotocoreRepeatedHeadersAreJoinedInOrder) {
  ExpectOk(Repeated());
  TestRequest swapped = Repeated();
  std::swap(swapped.headers[3], swapped.headers[4]);
  EXPECT_EQ(Fail(swapped).code, ErrorCode::kInvalidSignature);
}

TEST_F(SigV4Test, BotocoreUnsignedPayloadLeavesTheBodyUnchecked) {
  ExpectOk(UnsignedPayload());
  TestRequest other_body = UnsignedPayload();
  other_body.body = "entirely different";
  ExpectOk(other_body);
}

// ---- what may and may not change ----

TEST_F(SigV4Test, HeaderNamesAreCaseInsensitive) {
  TestRequest r = PutRecord();
  for (auto& [name, value] : r.headers) {
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  ExpectOk(r);
}

TEST_F(SigV4Test, Http2AuthorityStandsInForHost) {
  TestRequest r = PutRecord();
  r.Remove("Host");
  r.headers.insert(r.headers.begin(), {":authority", "kinesis.us-east-1.amazonaws.com"});
  ExpectOk(r);
}

TEST_F(SigV4Test, ChangingAnUnsignedHeaderStillVerifies) {
  TestRequest r = PutRecord();
  r.Set("User-Agent", "something else entirely");
  r.headers.emplace_back("X-Extra", "added after signing");
  ExpectOk(r);
}

TEST_F(SigV4Test, ExtraWhitespaceInASignedHeaderValueStillVerifies) {
  TestRequest r = PutRecord();
  r.Set("Content-Type", "   application/x-amz-json-1.1 \t");
  ExpectOk(r);
}

TEST_F(SigV4Test, WrongSecretIsASignatureMismatch) {
  SigV4Verifier verifier(Credentials("not-the-secret"), kDefaultAccount);
  TestRequest r = PutRecord();
  auto result = verifier.Verify(r.View(), kSignedAtMs);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(FailureOf(result.status()), (Failure{ErrorCode::kInvalidSignature, kSignatureMismatch}));
}

TEST_F(SigV4Test, UnknownAccessKey) {
  SigV4Verifier verifier(CredentialMap{}, kDefaultAccount);
  TestRequest r = PutRecord();
  auto result = verifier.Verify(r.View(), kSignedAtMs);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(FailureOf(result.status()),
            (Failure{ErrorCode::kUnrecognizedClient, "The security token included in the request is invalid."}));
}

TEST_F(SigV4Test, TamperedBody) {
  TestRequest r = PutRecord();
  r.body[r.body.size() - 3] = '2';
  EXPECT_EQ(Fail(r), (Failure{ErrorCode::kInvalidSignature, kSignatureMismatch}));
}

TEST_F(SigV4Test, TamperedSignedHeader) {
  TestRequest r = PutRecord();
  r.Set("X-Amz-Target", "Kinesis_20131202.DeleteStream");
  EXPECT_EQ(Fail(r).message, kSignatureMismatch);
}

TEST_F(SigV4Test, RemovedSignedHeader) {
  TestRequest r = PutRecord();
  r.Remove("Content-Type");
  EXPECT_EQ(Fail(r).message, kSignatureMismatch);
}

TEST_F(SigV4Test, TamperedSignatureOrPresignedQuery) {
  TestRequest r = PutRecord();
  r.Set("Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/kinesis/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
        "Signature=89fb449da91f123097cb73497ce0275ba90847602bfd6c3fd810dcc5efaa0c6e");
  EXPECT_EQ(Fail(r).message, kSignatureMismatch);
  TestRequest q = Presigned();
  q.target.replace(q.target.find("Limit=5"), 7, "Limit=6");
  EXPECT_EQ(Fail(q).message, kSignatureMismatch);
}

TEST_F(SigV4Test, AccountComesFromTheCredentialsFileWhenGiven) {
  CredentialMap map = Credentials();
  map[kAccessKey].account_id = "123456789012";
  SigV4Verifier verifier(std::move(map), kDefaultAccount);
  TestRequest r = PutRecord();
  auto id = verifier.Verify(r.View(), kSignedAtMs);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->account_id, "123456789012");
}

// ---- clock skew ----

TEST_F(SigV4Test, SkewJustInsideFiveMinutesVerifies) {
  ExpectOk(PutRecord(), kSignedAtMs + 5 * 60 * 1000);
  ExpectOk(PutRecord(), kSignedAtMs - 5 * 60 * 1000);
}

TEST_F(SigV4Test, SkewJustOutsideFiveMinutesFails) {
  EXPECT_EQ(Fail(PutRecord(), kSignedAtMs + 5 * 60 * 1000 + 1).code, ErrorCode::kInvalidSignature);
  EXPECT_EQ(Fail(PutRecord(), kSignedAtMs - 5 * 60 * 1000 - 1).code, ErrorCode::kInvalidSignature);
}

TEST_F(SigV4Test, ExpiredSignatureMessage) {
  EXPECT_EQ(Fail(PutRecord(), kSignedAtMs + 10 * 60 * 1000 + 999).message,
            "Signature expired: 20261124T223000Z is now earlier than 20261124T223500Z "
            "(20261124T224000Z - 5 min.)");
}

TEST_F(SigV4Test, FutureSignatureMessage) {
  EXPECT_EQ(Fail(PutRecord(), kSignedAtMs - 10 * 60 * 1000).message,
            "Signature not yet current: 20261124T223000Z is still later than 20261124T222500Z "
            "(20261124T222000Z + 5 min.)");
}

TEST_F(SigV4Test, PresignedUrlExpiresAfterXAmzExpires) {
  ExpectOk(Presigned(), kSignedAtMs + 300 * 1000);
  EXPECT_EQ(Fail(Presigned(), kSignedAtMs + 301 * 1000),
            (Failure{ErrorCode::kInvalidSignature,
                     "Signature expired: 20261124T223000Z is now earlier than 20261124T223001Z "
                     "(20261124T223501Z - 5 min.)"}));
}

// ---- malformed requests ----

TEST_F(SigV4Test, NoSignatureAtAll) {
  TestRequest r = PutRecord();
  r.Remove("Authorization");
  EXPECT_EQ(Fail(r), (Failure{ErrorCode::kMissingAuthenticationToken, "Missing Authentication Token"}));
}

TEST_F(SigV4Test, BothHeaderAndQuerySignature) {
  TestRequest r = Presigned();
  r.headers.emplace_back("Authorization", PutRecord().headers[5].second);
  EXPECT_EQ(Fail(r), (Failure{ErrorCode::kInvalidSignature,
                              "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as "
                              "HTTP header."}));
}

TEST_F(SigV4Test, AuthorizationHeaderMissingParameters) {
  TestRequest r = PutRecord();
  const std::string header = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/kinesis/aws4_request";
  r.Set("Authorization", header);
  EXPECT_EQ(Fail(r), (Failure{ErrorCode::kIncompleteSignature,
                              "Authorization header requires 'Signature' parameter. Authorization header "
                              "requires 'SignedHeaders' parameter. Authorization=" +
                                  header}));
}

TEST_F(SigV4Test, AuthorizationHeaderWithoutAnyDate) {
  TestRequest r = PutRecord();
  r.Remove("X-Amz-Date");
  const Failure e = Fail(r);
  EXPECT_EQ(e.code, ErrorCode::kIncompleteSignature);
  EXPECT_EQ(e.message,
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
            "Authorization=" +
                PutRecord().headers[5].second);
}

TEST_F(SigV4Test, UnsupportedAlgorithm) {
  TestRequest r = PutRecord();
  r.Set("Authorization", "AWS4-HMAC-SHA512 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=00");
  EXPECT_EQ(Fail(r), (Failure{ErrorCode::kIncompleteSignature, "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"}));
  r.Set("Authorization", "Bearer abc");
  EXPECT_EQ(Fail(r).message, "Unsupported AWS 'algorithm': 'Bearer'");
}

TEST_F(SigV4Test, UnparsableDate) {
  TestRequest r = PutRecord();
  r.Set("X-Amz-Date", "2026-11-24T22:30:00Z");
  EXPECT_EQ(Fail(r), (Failure{ErrorCode::kIncompleteSignature,
                              "Date must be in ISO-8601 'basic format'. Got '2026-11-24T22:30:00Z'. See "
                              "http://en.wikipedia.org/wiki/ISO_8601"}));
}

TEST_F(SigV4Test, CredentialWithTooFewParts) {
  TestRequest r = PutRecord();
  r.Set("Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/kinesis, SignedHeaders=host, Signature=00");
  EXPECT_EQ(Fail(r), (Failure{ErrorCode::kIncompleteSignature,
                              "Credential must have exactly 5 slash-delimited elements, e.g. "
                              "keyid/date/region/service/term, got 'AKIDEXAMPLE/20261124/us-east-1/kinesis'"}));
}

TEST_F(SigV4Test, CredentialWithWrongTerminator) {
  TestRequest r = PutRecord();
  r.Set("Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/kinesis/aws5_request, SignedHeaders=host, "
        "Signature=00");
  EXPECT_EQ(Fail(r).message,
            "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.");
}

TEST_F(SigV4Test, ScopeDateMustMatchRequestDate) {
  TestRequest r = PutRecord();
  r.Set("Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/kinesis/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00");
  EXPECT_EQ(Fail(r), (Failure{ErrorCode::kInvalidSignature,
                              "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date "
                              "from HTTP: '20261123' != '20261124', from '20261124T223000Z'."}));
}

TEST_F(SigV4Test, HostMustBeSigned) {
  TestRequest r = PutRecord();
  r.Set("Authorization",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/kinesis/aws4_request, "
        "SignedHeaders=content-type;x-amz-date;x-amz-target, Signature=00");
  EXPECT_EQ(Fail(r), (Failure{ErrorCode::kIncompleteSignature,
                              "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."}));
}

TEST_F(SigV4Test, PresignedQueryMissingParameters) {
  TestRequest r;
  r.method = "GET";
  r.target = "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20261124T223000Z";
  r.headers = {{"Host", "localhost"}};
  EXPECT_EQ(Fail(r), (Failure{ErrorCode::kIncompleteSignature,
                              "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string "
                              "parameters must include 'X-Amz-Signature'. AWS query-string parameters must "
                              "include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters."}));
}

TEST_F(SigV4Test, PresignedExpiresMustBeANumberOfAtMostAWeek) {
  TestRequest r = Presigned();
  r.target.replace(r.target.find("X-Amz-Expires=300"), 17, "X-Amz-Expires=abc");
  EXPECT_EQ(Fail(r), (Failure{ErrorCode::kIncompleteSignature, "X-Amz-Expires should be a number"}));
  r = Presigned();
  r.target.replace(r.target.find("X-Amz-Expires=300"), 17, "X-Amz-Expires=604801");
  EXPECT_EQ(Fail(r).message,
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less "
            "than 604800 seconds");
}

// ---- the HTTP Date header instead of X-Amz-Date ----

TEST_F(SigV4Test, HttpDateHeaderIsSignedInIsoBasicForm) {
  // The canonical request written out by hand, as the SigV4 definition gives it.
  const std::string canonical =
      "POST\n/\n\ndate:Tue, 24 Nov 2026 22:30:00 GMT\nhost:localhost:4567\n\ndate;host\n" + Sha256Hex("{}");
  const std::string signature =
      Signature(SigningKey(kSecret, "20261124", "us-east-1", "kinesis"),
                StringToSign("20261124T223000Z", "20261124/us-east-1/kinesis/aws4_request", canonical));
  TestRequest r;
  r.headers = {{"Host", "localhost:4567"},
               {"Date", "Tue, 24 Nov 2026 22:30:00 GMT"},
               {"Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261124/us-east-1/kinesis/aws4_request, "
                "SignedHeaders=date;host, Signature=" +
                    signature}};
  r.body = "{}";
  ExpectOk(r);
  EXPECT_EQ(Fail(r, kSignedAtMs + 6 * 60 * 1000).code, ErrorCode::kInvalidSignature);
}

// ---- ExtractCredentialScope ----

TEST(ExtractCredentialScope, ReadsTheHeaderScopeWithoutVerifying) {
  TestRequest r = PutRecord();
  r.body = "tampered";  // not checked
  auto scope = ExtractCredentialScope(r.View());
  ASSERT_TRUE(scope.ok());
  EXPECT_EQ(scope.value(), (CredentialScope{kAccessKey, "20261124", "us-east-1", "kinesis"}));
}

TEST(ExtractCredentialScope, ReadsThePresignedScope) {
  TestRequest r = Presigned();
  auto scope = ExtractCredentialScope(r.View());
  ASSERT_TRUE(scope.ok());
  EXPECT_EQ(scope->region, "us-east-1");
  EXPECT_EQ(scope->access_key_id, kAccessKey);
}

TEST(ExtractCredentialScope, StillRequiresASignature) {
  TestRequest r = PutRecord();
  r.Remove("Authorization");
  auto scope = ExtractCredentialScope(r.View());
  ASSERT_FALSE(scope.ok());
  EXPECT_EQ(scope.status().code(), ErrorCode::kMissingAuthenticationToken);
}

}  // namespace
}  // namespace sluice::auth
