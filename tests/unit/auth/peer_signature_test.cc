// Peer signatures as bytes: the string to sign, the headers a signer
// writes, and the verifier's answer to each header, the time and every
// signed field changed.
#include "auth/peer_signature.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "auth/signing.h"

namespace sluice::auth {
namespace {

constexpr int64_t kNow = 1'765'000'000'000;
const std::string kKey(32, 'k');

// A request as received, with the headers a signer wrote.
struct Signed {
  std::string method = "POST";
  std::string target = "/_sluice/peer/v1/put-to-shard";
  std::string body = "records";
  std::string operation = "Kinesis_20131202.PutRecords";  // its X-Amz-Target
  std::vector<std::pair<std::string, std::string>> headers;

  Result<PeerCall> VerifyAt(int64_t now_ms, const std::string& key = kKey) const {
    std::vector<HeaderField> fields;
    for (const auto& [name, value] : headers) fields.push_back({name, value});
    return PeerVerifier(key).Verify(RequestView{method, target, fields, body}, now_ms);
  }
  std::string* Header(std::string_view name) {
    for (auto& [n, v] : headers) {
      if (n == name) return &v;
    }
    return nullptr;
  }
};

Signed SignedAsTeam(int64_t at_ms = kNow) {
  Signed s;
  s.headers = {{"x-amz-target", s.operation}};
  for (auto& h :
       PeerSigner(kKey, "n1").Headers(s.method, s.target, s.operation, "123456789012", "eu-west-1", s.body, at_ms)) {
    s.headers.push_back(std::move(h));
  }
  return s;
}

TEST(PeerStringToSign, IsTheAlgorithmThenEachFieldOnALineThenTheBodysHash) {
  EXPECT_EQ(PeerStringToSign("POST", "/?a=b", "Kinesis_20131202.ListStreams",
                             PeerCall{"n1", "123456789012", "us-east-1", 42}, ""),
            "SLUICE-PEER-HMAC-SHA256\nPOST\n/?a=b\nKinesis_20131202.ListStreams\n42\nn1\n123456789012\nus-east-1\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(PeerSigner, WritesFiveHeadersTheLastTheHexHmacOfTheStringToSign) {
  Signed s = SignedAsTeam();
  s.headers.erase(s.headers.begin());  // the call's own X-Amz-Target
  ASSERT_EQ(s.headers.size(), 5u);
  EXPECT_EQ(s.headers[0], (std::pair<std::string, std::string>{"x-sluice-peer-node", "n1"}));
  EXPECT_EQ(s.headers[1], (std::pair<std::string, std::string>{"x-sluice-peer-time", std::to_string(kNow)}));
  EXPECT_EQ(s.headers[2], (std::pair<std::string, std::string>{"x-sluice-peer-account", "123456789012"}));
  EXPECT_EQ(s.headers[3], (std::pair<std::string, std::string>{"x-sluice-peer-region", "eu-west-1"}));
  EXPECT_EQ(s.headers[4].first, "x-sluice-peer-signature");
  EXPECT_EQ(s.headers[4].second,
            Signature(kKey, PeerStringToSign(s.method, s.target, s.operation,
                                             PeerCall{"n1", "123456789012", "eu-west-1", kNow}, s.body)));
}

TEST(PeerSigner, LeavesOutAnEmptyAccountAndRegion) {
  const auto headers = PeerSigner(kKey, "n1").Headers("POST", "/_sluice/peer/v1/fetch", "", "", "", "x", kNow);
  ASSERT_EQ(headers.size(), 3u);
  EXPECT_EQ(headers[2].first, "x-sluice-peer-signature");
}

TEST(PeerVerifier, AGoodSignatureNamesTheNodeAccountRegionAndTime) {
  Result<PeerCall> call = SignedAsTeam().VerifyAt(kNow + 1000);
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ(*call, (PeerCall{"n1", "123456789012", "eu-west-1", kNow}));
}

TEST(PeerVerifier, ASignatureWithoutAccountActsAsNoAccount) {
  Signed s;
  s.operation = "";
  s.headers = PeerSigner(kKey, "n2").Headers(s.method, s.target, "", "", "", s.body, kNow);
  Result<PeerCall> call = s.VerifyAt(kNow);
  ASSERT_TRUE(call.ok()) << call.status().ToString();
  EXPECT_EQ(*call, (PeerCall{"n2", "", "", kNow}));
}

TEST(PeerVerifier, HeaderNamesMatchInAnyCase) {
  Signed s = SignedAsTeam();
  for (auto& [name, value] : s.headers) {
    name =
        name == "x-amz-target" ? "X-Amz-Target" : "X-Sluice-Peer-" + name.substr(std::string("x-sluice-peer-").size());
  }
  EXPECT_TRUE(s.VerifyAt(kNow).ok());
}

TEST(PeerVerifier, AnotherKeyIsRefused) {
  Result<PeerCall> call = SignedAsTeam().VerifyAt(kNow, std::string(32, 'x'));
  ASSERT_FALSE(call.ok());
  EXPECT_EQ(call.status().code(), ErrorCode::kInvalidSignature);
  EXPECT_NE(call.status().message().find("does not match"), std::string::npos) << call.status().message();
}

TEST(PeerVerifier, ATimeMoreThanFiveMinutesEitherSideIsRefused) {
  EXPECT_TRUE(SignedAsTeam().VerifyAt(kNow + kMaxPeerClockSkewMs).ok());
  EXPECT_TRUE(SignedAsTeam().VerifyAt(kNow - kMaxPeerClockSkewMs).ok());
  Result<PeerCall> old = SignedAsTeam().VerifyAt(kNow + kMaxPeerClockSkewMs + 1);
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().code(), ErrorCode::kInvalidSignature);
  EXPECT_NE(old.status().message().find("more than 5 minutes"), std::string::npos) << old.status().message();
  EXPECT_FALSE(SignedAsTeam().VerifyAt(kNow - kMaxPeerClockSkewMs - 1).ok());
}

TEST(PeerVerifier, AChangedBodyPathMethodOperationAccountRegionNodeOrTimeIsRefused) {
  const auto refused = [](Signed s) {
    Result<PeerCall> call = s.VerifyAt(kNow);
    return !call.ok() && call.status().code() == ErrorCode::kInvalidSignature;
  };
  Signed s = SignedAsTeam();
  s.body += "x";
  EXPECT_TRUE(refused(s)) << "body";
  s = SignedAsTeam();
  s.target = "/_sluice/peer/v1/fetch";
  EXPECT_TRUE(refused(s)) << "path";
  s = SignedAsTeam();
  s.method = "PUT";
  EXPECT_TRUE(refused(s)) << "method";
  s = SignedAsTeam();
  *s.Header("x-amz-target") = "Kinesis_20131202.DeleteStream";
  EXPECT_TRUE(refused(s)) << "operation";
  s = SignedAsTeam();
  std::erase_if(s.headers, [](const auto& h) { return h.first == "x-amz-target"; });
  EXPECT_TRUE(refused(s)) << "operation dropped";
  s = SignedAsTeam();
  *s.Header(kPeerAccountHeader) = "000000000000";
  EXPECT_TRUE(refused(s)) << "account";
  s = SignedAsTeam();
  *s.Header(kPeerRegionHeader) = "us-east-1";
  EXPECT_TRUE(refused(s)) << "region";
  s = SignedAsTeam();
  *s.Header(kPeerNodeHeader) = "n2";
  EXPECT_TRUE(refused(s)) << "node";
  s = SignedAsTeam();
  *s.Header(kPeerTimeHeader) = std::to_string(kNow + 1);
  EXPECT_TRUE(refused(s)) << "time";
  s = SignedAsTeam();
  std::erase_if(s.headers, [](const auto& h) { return h.first == kPeerAccountHeader; });
  EXPECT_TRUE(refused(s)) << "account dropped";
}

TEST(PeerVerifier, NoSignatureHeaderIsNotFoundAndAMissingOrBadFieldIsRefused) {
  Signed s = SignedAsTeam();
  std::erase_if(s.headers, [](const auto& h) { return h.first == kPeerSignatureHeader; });
  EXPECT_EQ(s.VerifyAt(kNow).status().code(), ErrorCode::kResourceNotFound);

  s = SignedAsTeam();
  std::erase_if(s.headers, [](const auto& h) { return h.first == kPeerTimeHeader; });
  EXPECT_EQ(s.VerifyAt(kNow).status().code(), ErrorCode::kInvalidSignature);
  s = SignedAsTeam();
  std::erase_if(s.headers, [](const auto& h) { return h.first == kPeerNodeHeader; });
  EXPECT_EQ(s.VerifyAt(kNow).status().code(), ErrorCode::kInvalidSignature);
  s = SignedAsTeam();
  *s.Header(kPeerTimeHeader) = "12abc";
  Result<PeerCall> bad = s.VerifyAt(kNow);
  EXPECT_EQ(bad.status().code(), ErrorCode::kInvalidSignature);
  EXPECT_NE(bad.status().message().find("not milliseconds"), std::string::npos) << bad.status().message();
}

}  // namespace
}  // namespace sluice::auth
