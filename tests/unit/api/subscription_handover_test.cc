// SubscribeToShard at the Kinesis service in cluster mode: a shard another
// node leads is relayed from it through the forwarder, and when this node
// loses the shard's leadership mid-subscription the engine ends its
// subscription with NotLeader and a relay takes over after the last record
// sent, on the same event stream, with no gap or duplicate. A real engine in
// memory; the placement and the forwarder are the test's, and the "other
// node" the forwarder reaches is a Kinesis service on the same engine
// answering as the leader (the records a replicated log would have there).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "api/kinesis_service.h"
#include "api_test_util.h"
#include "engine/engine.h"
#include "engine/placement.h"
#include "protocol/event_stream.h"
#include "util/base64.h"

namespace sluice::api {
namespace {

// Calls made while `as_leader` is set on their thread are the other node's.
thread_local bool as_leader = false;

class MovingPlacement final : public engine::ShardPlacement {
 public:
  engine::PlacementAnswer Leader(const engine::ShardKey&) const override {
    if (!moved || as_leader) return {};
    return {false, "10.0.0.2:4567"};
  }
  std::atomic<bool> moved{false};
};

// The records' data in the order a stream's events carried them, and
// whether an exception event came.
std::vector<std::string> EventData(const std::string& bytes, bool* exception) {
  std::vector<protocol::EventStreamMessage> messages;
  protocol::EventStreamDecoder decoder;
  EXPECT_TRUE(decoder.Feed(bytes, &messages).ok());
  std::vector<std::string> out;
  *exception = false;
  for (const auto& m : messages) {
    *exception = *exception || m.Find(":message-type")->bytes == "exception";
    for (size_t at = m.payload.find("\"Data\":\""); at != std::string::npos;
         at = m.payload.find("\"Data\":\"", at + 1)) {
      const size_t begin = at + 8;
      std::string data;
      EXPECT_TRUE(base64::Decode(m.payload.substr(begin, m.payload.find('"', begin) - begin), &data));
      out.push_back(std::move(data));
    }
  }
  return out;
}

// Calls `service` as the gateway would and waits (with a deadline) for the answer.
gateway::ServiceResponse Handle(KinesisService& service, const gateway::ForwardedRequest& request) {
  server::HttpRequest http;
  http.method = "POST";
  http.target = "/";
  std::string_view operation;
  for (const auto& [n, v] : request.headers) {
    http.headers.push_back({n, v});
    if (n == "x-amz-target") operation = std::string_view(v).substr(v.find('.') + 1);
  }
  http.body = request.body;
  std::promise<gateway::ServiceResponse> promise;
  auto future = promise.get_future();
  service.Handle(gateway::ServiceRequest{http, operation, {}, {}, nullptr},
                 [&promise](gateway::ServiceResponse r) { promise.set_value(std::move(r)); });
  if (future.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "no answer within 10 s";
    return {};
  }
  return future.get();
}

// The other node: what is forwarded to it is answered by its own Kinesis
// service on the same engine, as the shard's leader.
class LeaderForwarder final : public gateway::Forwarder {
 public:
  void Forward(const std::string& address, gateway::ForwardedRequest request,
               std::function<void(Result<gateway::ForwardedResponse>)> done) override {
    ++calls;
    EXPECT_EQ(address, "10.0.0.2:4567");
    bool marked = false;
    for (const auto& [n, v] : request.headers) marked |= n == gateway::kForwardedHeader && v == "n1";
    EXPECT_TRUE(marked) << "a relay's call names the node it comes from";
    as_leader = true;
    gateway::ServiceResponse r = Handle(*leader, request);
    as_leader = false;
    gateway::ForwardedResponse out;
    out.status = r.status;
    out.headers = {{"Content-Type", r.content_type}};
    if (!r.error_type.empty()) out.headers.emplace_back("X-Amzn-ErrorType", r.error_type);
    out.body = std::move(r.body);
    done(std::move(out));
  }
  KinesisService* leader = nullptr;
  std::atomic<int> calls{0};
};

class SubscriptionHandoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions opts;
    opts.durability = storage::Durability::kMemory;
    opts.placement = placement_;
    opts.iterator_key = std::string(engine::kIteratorKeySize, 'k');  // the cluster's
    auto e = engine::Engine::Open(opts);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    engine_->Start();
    leader_ = std::make_unique<KinesisService>(*engine_, ApiOptions{});
    forwarder_.leader = leader_.get();
    service_ = std::make_unique<KinesisService>(*engine_, ApiOptions{}, &forwarder_, "n1", /*forward_puts=*/false,
                                                /*relay_subscriptions=*/true);
  }
  void TearDown() override {
    service_.reset();
    leader_.reset();
    if (engine_) engine_->Stop();
  }

  gateway::ServiceResponse Call(std::string_view operation, const std::string& body) {
    gateway::ForwardedRequest request;
    request.headers = {{"x-amz-target", "Kinesis_20131202." + std::string(operation)},
                       {"content-type", std::string(testing::kJson)}};
    request.body = body;
    return Handle(*service_, request);
  }
  void Put(const std::string& data) {
    const std::string body = R"({"StreamName":"s","PartitionKey":"k","Data":")" + base64::Encode(data) + R"("})";
    as_leader = true;  // a producer at the shard's leader, wherever it is
    gateway::ServiceResponse r = Call("PutRecord", body);
    as_leader = false;
    ASSERT_EQ(r.status, 200) << r.body;
  }
  // A stream and a consumer; the consumer's ARN.
  std::string StreamAndConsumer() {
    EXPECT_EQ(Call("CreateStream", R"({"StreamName":"s","ShardCount":1})").status, 200);
    gateway::ServiceResponse consumer =
        Call("RegisterStreamConsumer",
             R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","ConsumerName":"c"})");
    EXPECT_EQ(consumer.status, 200) << consumer.body;
    const size_t at = consumer.body.find("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/");
    return consumer.body.substr(at, consumer.body.find('"', at) - at);
  }
  std::shared_ptr<testing::CollectingOutput> Subscribe(const std::string& arn, std::string_view type,
                                                       std::shared_ptr<server::StreamingBody>* body) {
    gateway::ServiceResponse r = Call("SubscribeToShard", R"({"ConsumerARN":")" + arn +
                                                              R"(","ShardId":"shardId-000000000000",)"
                                                              R"("StartingPosition":{"Type":")" +
                                                              std::string(type) + R"("}})");
    EXPECT_EQ(r.status, 200) << r.body;
    auto out = std::make_shared<testing::CollectingOutput>();
    *body = r.streaming;
    if (r.streaming) r.streaming->on_start(out);
    return out;
  }

  std::shared_ptr<MovingPlacement> placement_ = std::make_shared<MovingPlacement>();
  LeaderForwarder forwarder_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<KinesisService> leader_;
  std::unique_ptr<KinesisService> service_;
};

TEST_F(SubscriptionHandoverTest, ALostLeadershipHandsTheSubscriptionToARelayAfterTheLastRecordSent) {
  const std::string arn = StreamAndConsumer();
  for (int i = 0; i < 3; ++i) Put("before-" + std::to_string(i));
  std::shared_ptr<server::StreamingBody> body;
  auto out = Subscribe(arn, "TRIM_HORIZON", &body);
  ASSERT_NE(body, nullptr);
  bool exception = false;
  ASSERT_TRUE(testing::Eventually([&] { return EventData(out->data(), &exception).size() == 3; }));
  EXPECT_EQ(forwarder_.calls.load(), 0) << "served here while this node leads";

  placement_->moved = true;  // another node leads the shard from now on
  for (int i = 0; i < 3; ++i) Put("after-" + std::to_string(i));
  ASSERT_TRUE(testing::Eventually([&] { return EventData(out->data(), &exception).size() >= 6 || exception; }));
  EXPECT_FALSE(exception);
  EXPECT_FALSE(out->finished_.load()) << "the stream goes on";
  EXPECT_EQ(EventData(out->data(), &exception),
            (std::vector<std::string>{"before-0", "before-1", "before-2", "after-0", "after-1", "after-2"}));
  EXPECT_GT(forwarder_.calls.load(), 0) << "read from the leader through the forwarder";
  body->on_close();
}

TEST_F(SubscriptionHandoverTest, AShardLedElsewhereIsRelayedFromALatestFixedAtTheCall) {
  const std::string arn = StreamAndConsumer();
  Put("first");
  placement_->moved = true;
  std::shared_ptr<server::StreamingBody> body;
  auto out = Subscribe(arn, "LATEST", &body);
  ASSERT_NE(body, nullptr);
  Put("second");  // after the call: LATEST was fixed at the leader before the answer
  bool exception = false;
  ASSERT_TRUE(testing::Eventually([&] { return !EventData(out->data(), &exception).empty() || exception; }));
  EXPECT_EQ(EventData(out->data(), &exception), std::vector<std::string>{"second"});
  EXPECT_FALSE(exception);
  body->on_close();
}

}  // namespace
}  // namespace sluice::api
