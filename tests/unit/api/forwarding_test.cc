// Cluster mode's forwarding at the Kinesis service: a data-plane call that
// touches a shard another node leads goes to that node unchanged (method,
// path, headers, body: the client's signature still verifies there) and its
// answer is relayed; a call that was already forwarded is answered here; a
// leader that does not answer leaves the retryable InternalFailure. A real
// engine in memory; the placement and the forwarder are the test's (the
// real forwarder is tested against a real server in the cluster's tests).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <optional>
#include <string>

#include "api/kinesis_service.h"
#include "engine/engine.h"
#include "engine/placement.h"

namespace sluice::api {
namespace {

constexpr std::string_view kJson = "application/x-amz-json-1.1";

// Shard 0 of every stream is led by 10.0.0.2:4567; the rest here.
class ElsewherePlacement final : public engine::ShardPlacement {
 public:
  engine::PlacementAnswer Leader(const engine::ShardKey& shard) const override {
    if (shard.shard_index == 0 && elsewhere) return {false, "10.0.0.2:4567"};
    return {};
  }
  std::atomic<bool> elsewhere{false};
};

// Records what it is asked to forward and answers as the test says.
class RecordingForwarder final : public gateway::Forwarder {
 public:
  void Forward(const std::string& address, gateway::ForwardedRequest request,
               std::function<void(Result<gateway::ForwardedResponse>)> done) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      this->address = address;
      forwarded = std::move(request);
      ++calls;
    }
    if (!answer_ok) return done(Status(ErrorCode::kConnectionFailed, "connect to 10.0.0.2:4567: refused"));
    gateway::ForwardedResponse r;
    r.status = 200;
    r.headers = {{"Content-Type", "application/x-amz-json-1.1"}, {"x-amzn-RequestId", "leader-id"}};
    r.body = R"({"ShardId":"shardId-000000000000","SequenceNumber":"from-the-leader"})";
    done(std::move(r));
  }

  std::mutex mu;
  std::string address;
  std::optional<gateway::ForwardedRequest> forwarded;
  int calls = 0;
  bool answer_ok = true;
};

class ForwardingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions opts;
    opts.durability = storage::Durability::kMemory;
    opts.placement = placement_;
    auto e = engine::Engine::Open(opts);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    engine_->Start();
    service_ = std::make_unique<KinesisService>(*engine_, ApiOptions{}, &forwarder_, "n1", /*forward_puts=*/true);
    ASSERT_EQ(Call("CreateStream", R"({"StreamName":"s","ShardCount":2})").status, 200);
    // Shard 0 covers the lower half of the hash range: hash key 1 goes there.
    placement_->elsewhere = true;
  }
  void TearDown() override {
    service_.reset();
    if (engine_) engine_->Stop();
  }

  gateway::ServiceResponse Call(std::string_view operation, std::string_view body,
                                std::vector<server::HttpHeader> extra = {}) {
    const std::string target = "Kinesis_20131202." + std::string(operation);
    server::HttpRequest http;
    http.method = "POST";
    http.target = "/";
    http.headers = {{"host", "node1:4567"},
                    {"content-type", kJson},
                    {"x-amz-target", target},
                    {"authorization", "AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/kinesis/aws4_request"},
                    {"content-length", std::to_string(body.size())},
                    {"connection", "keep-alive"}};
    for (const server::HttpHeader& h : extra) http.headers.push_back(h);
    http.body = body;
    std::promise<gateway::ServiceResponse> promise;
    auto future = promise.get_future();
    service_->Handle(gateway::ServiceRequest{http, operation, {}, {}, nullptr},
                     [&promise](gateway::ServiceResponse r) { promise.set_value(std::move(r)); });
    if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      ADD_FAILURE() << "no answer within 10 s";
      return {};
    }
    return future.get();
  }

  std::shared_ptr<ElsewherePlacement> placement_ = std::make_shared<ElsewherePlacement>();
  RecordingForwarder forwarder_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<KinesisService> service_;
};

constexpr std::string_view kPutToShard0 =
    R"({"StreamName":"s","PartitionKey":"k","ExplicitHashKey":"1","Data":"AA=="})";

TEST_F(ForwardingTest, APutToAShardLedElsewhereGoesToItsLeaderUnchangedAndItsAnswerIsRelayed) {
  gateway::ServiceResponse r = Call("PutRecord", kPutToShard0);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, kJson);
  EXPECT_NE(r.body.find("from-the-leader"), std::string::npos) << r.body;
  std::lock_guard<std::mutex> lock(forwarder_.mu);
  ASSERT_EQ(forwarder_.calls, 1);
  EXPECT_EQ(forwarder_.address, "10.0.0.2:4567");
  const gateway::ForwardedRequest& f = *forwarder_.forwarded;
  EXPECT_EQ(f.method, "POST");
  EXPECT_EQ(f.target, "/");
  EXPECT_EQ(f.body, kPutToShard0);
  auto header = [&f](std::string_view name) -> std::string {
    for (const auto& [n, v] : f.headers)
      if (n == name) return v;
    return "<absent>";
  };
  // What the client signed goes as it came; the client's connection's framing does not.
  EXPECT_EQ(header("host"), "node1:4567");
  EXPECT_EQ(header("x-amz-target"), "Kinesis_20131202.PutRecord");
  EXPECT_EQ(header("authorization"), "AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/kinesis/aws4_request");
  EXPECT_EQ(header("content-length"), "<absent>");
  EXPECT_EQ(header("connection"), "<absent>");
  EXPECT_EQ(header(gateway::kForwardedHeader), "n1");
}

TEST_F(ForwardingTest, AShardLedHereIsServedHereWithoutForwarding) {
  gateway::ServiceResponse r = Call(
      "PutRecord",
      R"({"StreamName":"s","PartitionKey":"k","ExplicitHashKey":"340282366920938463463374607431768211455","Data":"AA=="})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find("from-the-leader"), std::string::npos);
  std::lock_guard<std::mutex> lock(forwarder_.mu);
  EXPECT_EQ(forwarder_.calls, 0);
}

TEST_F(ForwardingTest, ACallAlreadyForwardedIsNotForwardedAgain) {
  gateway::ServiceResponse r = Call("PutRecord", kPutToShard0, {{gateway::kForwardedHeader, "n3"}});
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.error_type, "InternalFailure");
  std::lock_guard<std::mutex> lock(forwarder_.mu);
  EXPECT_EQ(forwarder_.calls, 0);
}

TEST_F(ForwardingTest, ALeaderThatDoesNotAnswerLeavesTheRetryableInternalFailure) {
  forwarder_.answer_ok = false;
  gateway::ServiceResponse r = Call("PutRecord", kPutToShard0);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.error_type, "InternalFailure");
  std::lock_guard<std::mutex> lock(forwarder_.mu);
  EXPECT_EQ(forwarder_.calls, 1);
}

TEST_F(ForwardingTest, ReadsOfAShardLedElsewhereAreForwardedToo) {
  Call("GetShardIterator", R"({"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"})");
  std::lock_guard<std::mutex> lock(forwarder_.mu);
  ASSERT_EQ(forwarder_.calls, 1);
  bool named = false;
  for (const auto& [n, v] : forwarder_.forwarded->headers)
    named |= n == "x-amz-target" && v == "Kinesis_20131202.GetShardIterator";
  EXPECT_TRUE(named);
}

TEST_F(ForwardingTest, TheControlPlaneIsNeverForwarded) {
  gateway::ServiceResponse r = Call("DescribeStreamSummary", R"({"StreamName":"s"})");
  EXPECT_EQ(r.status, 200) << r.body;
  std::lock_guard<std::mutex> lock(forwarder_.mu);
  EXPECT_EQ(forwarder_.calls, 0);
}

}  // namespace
}  // namespace sluice::api
