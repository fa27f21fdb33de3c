// The gateway's check of peer signatures (cluster mode under --auth): a
// call signed with the cluster's key runs as the account it names without
// SigV4; anything else goes on to the SigV4 check, and fails it without a
// client's signature.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "auth/peer_signature.h"
#include "gateway/gateway.h"
#include "toy_service.h"
#include "util/clock.h"

namespace sluice::gateway {
namespace {

constexpr char kJson10[] = "application/x-amz-json-1.0";
const std::string kKey(32, 'k');

const ServiceMatch kWho{.target_prefix = "Who_20250101.", .path_prefix = {}};
constexpr char kMissing[] = "MissingAuthenticationToken";

class PeerAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gateway_.AddService(std::make_unique<testing::WhoService>(kWho));
    gateway_.SetVerifier(std::make_unique<auth::SigV4Verifier>(auth::CredentialMap{}, "000000000000"));
    gateway_.SetPeerVerifier(std::make_unique<auth::PeerVerifier>(kKey));
  }

  // A call with body "{}", signed as node n1's with `key` at `at_ms` over
  // `signed_body`, acting as `account`.
  server::HttpResponse SendSigned(const std::string& key, int64_t at_ms, const std::string& account,
                                  std::string_view signed_body = "{}") {
    const auto signed_headers =
        auth::PeerSigner(key, "n1").Headers("POST", "/", "Who_20250101.Who", account, "eu-west-1", signed_body, at_ms);
    std::vector<server::HttpHeader> headers = {{"x-amz-target", "Who_20250101.Who"}, {"content-type", kJson10}};
    for (const auto& [name, value] : signed_headers) headers.push_back({name, value});
    return Send(std::move(headers), "{}");
  }

  server::HttpResponse Send(std::vector<server::HttpHeader> headers, std::string_view body) {
    server::HttpRequest req;
    req.method = "POST";
    req.target = "/";
    req.headers = std::move(headers);
    req.body = body;
    std::optional<server::HttpResponse> out;
    gateway_.Handle(req, [&out](server::HttpResponse r) { out = std::move(r); });
    EXPECT_TRUE(out.has_value());
    return out.value_or(server::HttpResponse{});
  }

  Gateway gateway_;
};

int64_t Now() { return SystemClock::Instance().NowMillis(); }

TEST_F(PeerAuthTest, ACallSignedWithTheClustersKeyRunsAsTheAccountItNames) {
  server::HttpResponse r = SendSigned(kKey, Now(), "123456789012");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, "123456789012/eu-west-1");
}

TEST_F(PeerAuthTest, ACallSignedWithAnotherKeyFallsBackToSigV4AndFailsWithoutIt) {
  server::HttpResponse r = SendSigned(std::string(32, 'x'), Now(), "123456789012");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(kMissing), std::string::npos) << r.body;
}

TEST_F(PeerAuthTest, AnOldSignatureFallsBackToSigV4AndFailsWithoutIt) {
  server::HttpResponse r = SendSigned(kKey, Now() - auth::kMaxPeerClockSkewMs - 60'000, "123456789012");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(kMissing), std::string::npos) << r.body;
}

TEST_F(PeerAuthTest, ATamperedBodyFallsBackToSigV4AndFailsWithoutIt) {
  server::HttpResponse r = SendSigned(kKey, Now(), "123456789012", "{\"signed\":1}");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(kMissing), std::string::npos) << r.body;
}

TEST_F(PeerAuthTest, ACallWithoutPeerHeadersGetsTheSigV4Check) {
  server::HttpResponse r = Send({{"x-amz-target", "Who_20250101.Who"}, {"content-type", kJson10}}, "{}");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find(kMissing), std::string::npos) << r.body;
}

TEST(PeerAuthWithoutVerifierTest, PeerHeadersAreIgnoredWhereNoPeerVerifierIsSet) {
  Gateway gateway;
  gateway.AddService(std::make_unique<testing::WhoService>(kWho));
  server::HttpRequest req;
  req.method = "POST";
  req.target = "/";
  req.body = "{}";
  req.headers = {{"x-amz-target", "Who_20250101.Who"}, {"content-type", kJson10}};
  for (const auto& [name, value] :
       auth::PeerSigner(kKey, "n1")
           .Headers("POST", "/", "Who_20250101.Who", "123456789012", "eu-west-1", req.body, Now())) {
    req.headers.push_back({name, value});
  }
  std::optional<server::HttpResponse> out;
  gateway.Handle(req, [&out](server::HttpResponse r) { out = std::move(r); });
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->status, 200);
  EXPECT_EQ(out->body, "/") << "the service's defaults: no credential scope, no peer";
}

}  // namespace
}  // namespace sluice::gateway
