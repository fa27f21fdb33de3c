// SubscribeToShard when this node loses the shard's leadership
// mid-subscription: the engine ends its subscription with NotLeader and a
// relay from the new leader takes over after the last record sent, on the
// same event stream, with no gap or duplicate. A real engine in memory; the
// placement is the test's, and the "other node" the relay reads from is the
// same engine answering as the leader (the records a replicated log would
// have there).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "api/dispatcher.h"
#include "api_test_util.h"
#include "api/subscription_relay.h"
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

class SubscriptionHandoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions opts;
    opts.durability = storage::Durability::kMemory;
    opts.placement = placement_;
    opts.iterator_key = std::string(engine::kIteratorKeySize, 'k');
    auto e = engine::Engine::Open(opts);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
    engine_->Start();
    engine::IteratorCodec::Key key;
    key.fill('k');
    RelayOptions relay_options;
    relay_options.idle_poll_ms = 5;
    // The relay's calls as the Kinesis service makes them: here, or at the
    // leader a NotLeader answer names.
    relays_ = std::make_unique<SubscriptionRelays>(
        [this](gateway::ForwardedRequest request, std::function<void(Result<gateway::ForwardedResponse>)> done) {
          ++relayed_calls_;
          ApiResponse here = Run(plain_.get(), request);
          if (here.leader_address.empty()) return done(Answer(std::move(here)));
          as_leader = true;
          ApiResponse there = Run(plain_.get(), request);
          as_leader = false;
          done(Answer(std::move(there)));
        },
        engine::IteratorCodec(key), relay_options);
    plain_ = std::make_unique<Dispatcher>(*engine_, ApiOptions{});
    ApiOptions with_relays;
    with_relays.relays = relays_.get();
    dispatcher_ = std::make_unique<Dispatcher>(*engine_, with_relays);
  }
  void TearDown() override {
    relays_.reset();
    dispatcher_.reset();
    plain_.reset();
    if (engine_) engine_->Stop();
  }

  static ApiResponse Run(Dispatcher* d, const gateway::ForwardedRequest& request) {
    std::string target;
    for (const auto& [n, v] : request.headers)
      if (n == "x-amz-target") target = v;
    std::promise<ApiResponse> promise;
    d->Handle(ApiRequest{target, testing::kJson, "", request.body, {}, {}},
              [&promise](ApiResponse r) { promise.set_value(std::move(r)); });
    return promise.get_future().get();
  }
  static gateway::ForwardedResponse Answer(ApiResponse r) {
    gateway::ForwardedResponse out;
    out.status = r.status;
    out.headers = {{"content-type", r.content_type}};
    if (!r.error_type.empty()) out.headers.emplace_back("x-amzn-ErrorType", r.error_type);
    out.body = std::move(r.body);
    return out;
  }
  ApiResponse Call(std::string_view operation, const std::string& body) {
    gateway::ForwardedRequest request;
    request.headers = {{"x-amz-target", "Kinesis_20131202." + std::string(operation)}};
    request.body = body;
    return Run(dispatcher_.get(), request);
  }
  void Put(const std::string& data) {
    const std::string body = R"({"StreamName":"s","PartitionKey":"k","Data":")" + base64::Encode(data) + R"("})";
    as_leader = true;  // a producer at the shard's leader, wherever it is
    ApiResponse r = Call("PutRecord", body);
    as_leader = false;
    ASSERT_EQ(r.status, 200) << r.body;
  }

  std::shared_ptr<MovingPlacement> placement_ = std::make_shared<MovingPlacement>();
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<SubscriptionRelays> relays_;
  std::unique_ptr<Dispatcher> plain_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::atomic<int> relayed_calls_{0};
};

TEST_F(SubscriptionHandoverTest, ALostLeadershipHandsTheSubscriptionToARelayAfterTheLastRecordSent) {
  ASSERT_EQ(Call("CreateStream", R"({"StreamName":"s","ShardCount":1})").status, 200);
  ApiResponse consumer = Call("RegisterStreamConsumer",
                              R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","ConsumerName":"c"})");
  ASSERT_EQ(consumer.status, 200) << consumer.body;
  const size_t at = consumer.body.find("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/");
  const std::string arn = consumer.body.substr(at, consumer.body.find('"', at) - at);
  for (int i = 0; i < 3; ++i) Put("before-" + std::to_string(i));

  ApiResponse r = Call("SubscribeToShard", R"({"ConsumerARN":")" + arn +
                                               R"(","ShardId":"shardId-000000000000",)"
                                               R"("StartingPosition":{"Type":"TRIM_HORIZON"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_NE(r.stream, nullptr);
  auto out = std::make_shared<testing::CollectingOutput>();
  r.stream->start(out);
  bool exception = false;
  ASSERT_TRUE(testing::Eventually([&] { return EventData(out->data(), &exception).size() == 3; }));
  EXPECT_EQ(relayed_calls_.load(), 0) << "served here while this node leads";

  placement_->moved = true;  // another node leads the shard from now on
  for (int i = 0; i < 3; ++i) Put("after-" + std::to_string(i));
  ASSERT_TRUE(testing::Eventually([&] { return EventData(out->data(), &exception).size() >= 6 || exception; }));
  EXPECT_FALSE(exception);
  EXPECT_FALSE(out->finished_.load()) << "the stream goes on";
  EXPECT_EQ(EventData(out->data(), &exception),
            (std::vector<std::string>{"before-0", "before-1", "before-2", "after-0", "after-1", "after-2"}));
  EXPECT_GT(relayed_calls_.load(), 0);
  r.stream->on_close();
}

TEST_F(SubscriptionHandoverTest, AShardLedElsewhereIsRelayedFromTheStart) {
  ASSERT_EQ(Call("CreateStream", R"({"StreamName":"s","ShardCount":1})").status, 200);
  ApiResponse consumer = Call("RegisterStreamConsumer",
                              R"({"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","ConsumerName":"c"})");
  const size_t at = consumer.body.find("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/");
  const std::string arn = consumer.body.substr(at, consumer.body.find('"', at) - at);
  Put("first");
  placement_->moved = true;
  ApiResponse r = Call("SubscribeToShard", R"({"ConsumerARN":")" + arn +
                                               R"(","ShardId":"shardId-000000000000",)"
                                               R"("StartingPosition":{"Type":"LATEST"}})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto out = std::make_shared<testing::CollectingOutput>();
  r.stream->start(out);
  Put("second");  // after the call: LATEST was fixed at the leader before the answer
  bool exception = false;
  ASSERT_TRUE(testing::Eventually([&] { return !EventData(out->data(), &exception).empty() || exception; }));
  EXPECT_EQ(EventData(out->data(), &exception), std::vector<std::string>{"second"});
  EXPECT_FALSE(exception);
  r.stream->on_close();
}

}  // namespace
}  // namespace sluice::api
