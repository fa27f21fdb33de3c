// Peer calls under --auth over real sockets: a gateway checking SigV4 (with
// no client credentials at all) and peer signatures with the cluster's key,
// reached by a PeerClient (a replica's fetch) and by the RequestForwarder
// (forwarded calls, PutToShard, a relay's calls). Signed with the key they
// are admitted, as the account they act as; unsigned, or signed with
// another key, they get the SigV4 refusal.
#include "cluster/peer_signing.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>

#include "cluster/peer_client.h"
#include "cluster/peer_service.h"
#include "cluster/request_forwarder.h"
#include "gateway/toy_service.h"
#include "gateway_server.h"
#include "peer_examples.h"

namespace sluice::cluster {
namespace {

const std::string kKey(32, 'k');

class EmptyFetches final : public FetchHandler {
 public:
  void Fetch(const FetchRequest&, std::function<void(FetchResponse)> reply) override { reply(FetchResponse{}); }
};

class PeerSigningTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_.gateway().AddService(std::make_unique<PeerService>(&fetches_));
    // Kinesis-routed calls answered with the account and region they run as.
    node_.gateway().AddService(std::make_unique<gateway::testing::WhoService>(
        gateway::ServiceMatch{.target_prefix = "Kinesis_20131202.", .path_prefix = {}}));
    node_.gateway().SetVerifier(std::make_unique<auth::SigV4Verifier>(auth::CredentialMap{}, "000000000000"));
    node_.gateway().SetPeerVerifier(std::make_unique<auth::PeerVerifier>(kKey));
    node_.Start();
  }

  static std::shared_ptr<const auth::PeerSigner> Signer(const std::string& key = kKey) {
    return std::make_shared<auth::PeerSigner>(key, "n2");
  }

  Result<gateway::ForwardedResponse> Forward(std::shared_ptr<const auth::PeerSigner> signer) {
    RequestForwarder forwarder({.threads = 1, .signer = std::move(signer)});
    gateway::ForwardedRequest request;
    request.headers = {{"x-amz-target", "Kinesis_20131202.ListStreams"},
                       {"content-type", "application/x-amz-json-1.1"},
                       // A client's own claim, copied along with its call: replaced.
                       {"x-sluice-peer-account", "999999999999"},
                       {"x-sluice-peer-signature", std::string(64, '0')}};
    request.body = "{}";
    request.account = "123456789012";
    request.region = "eu-west-1";
    std::promise<Result<gateway::ForwardedResponse>> answered;
    forwarder.Forward(node_.address(), std::move(request), [&answered](Result<gateway::ForwardedResponse> answer) {
      answered.set_value(std::move(answer));
    });
    auto future = answered.get_future();
    EXPECT_EQ(future.wait_for(std::chrono::seconds(20)), std::future_status::ready);
    return future.get();
  }

  EmptyFetches fetches_;
  testing::GatewayServer node_;
};

TEST_F(PeerSigningTest, AnUnsignedFetchIsRefusedByTheSigV4Check) {
  PeerClient unsigned_client;
  Result<FetchResponse> refused = unsigned_client.Fetch(node_.address(), testing::ExampleRequest());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kBadResponse);
  EXPECT_NE(refused.status().message().find("Missing Authentication Token"), std::string::npos)
      << refused.status().ToString();
}

TEST_F(PeerSigningTest, AFetchSignedWithTheClustersKeyIsAnswered) {
  PeerClient client({.signer = Signer()});
  Result<FetchResponse> answered = client.Fetch(node_.address(), testing::ExampleRequest());
  ASSERT_TRUE(answered.ok()) << answered.status().ToString();
  EXPECT_EQ(answered->error, FetchError::kNone);
}

TEST_F(PeerSigningTest, AFetchSignedWithAnotherKeyIsRefused) {
  PeerClient client({.signer = Signer(std::string(32, 'x'))});
  EXPECT_FALSE(client.Fetch(node_.address(), testing::ExampleRequest()).ok());
}

TEST_F(PeerSigningTest, AForwardedCallRunsAsTheAccountItIsForNotAsAClientsPeerHeadersClaim) {
  Result<gateway::ForwardedResponse> answer = Forward(Signer());
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 200) << answer->body;
  EXPECT_EQ(answer->body, "123456789012/eu-west-1");
}

TEST_F(PeerSigningTest, AForwardedCallWithoutASignerGetsTheSigV4Refusal) {
  Result<gateway::ForwardedResponse> answer = Forward(nullptr);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ(answer->status, 400);
  EXPECT_NE(answer->body.find("MissingAuthenticationToken"), std::string::npos) << answer->body;
}

}  // namespace
}  // namespace sluice::cluster
