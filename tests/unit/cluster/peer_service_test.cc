// The peer protocol's transport over real sockets: PeerService in a real
// gateway on a real HTTP server (one event loop, a free loopback port), a
// FetchHandler fake, and PeerClient (or a plain HttpClient for bytes no
// PeerClient sends).
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cluster/peer_client.h"
#include "cluster/peer_codec.h"
#include "gateway_server.h"
#include "peer_examples.h"
#include "cluster/peer_service.h"
#include "cluster/peer_transport.h"
#include "gateway/gateway.h"
#include "http/http_client.h"
#include "server/server.h"
#include "util/clock.h"

namespace sluice::cluster {
namespace {

// Answers at once with `answer` (its records from the request's
// fetch_offset), or, when `hold` is set, keeps the reply for the test.
class FakeFetchHandler final : public FetchHandler {
 public:
  void Fetch(const FetchRequest& request, std::function<void(FetchResponse)> reply) override {
    std::unique_lock<std::mutex> lock(mu_);
    requests_.push_back(request);
    if (request.max_wait_ms > 0 && hold_long_polls_) {
      held_.push_back(std::move(reply));
      cv_.notify_all();
      return;
    }
    FetchResponse answer = answer_;
    lock.unlock();
    reply(std::move(answer));
  }

  void Answer(FetchResponse answer) {
    std::lock_guard<std::mutex> lock(mu_);
    answer_ = std::move(answer);
  }
  void HoldLongPolls() {
    std::lock_guard<std::mutex> lock(mu_);
    hold_long_polls_ = true;
  }
  // Waits (10 s at most) for a held reply and takes it.
  std::function<void(FetchResponse)> TakeHeld() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::seconds(10), [&] { return !held_.empty(); })) return nullptr;
    auto reply = std::move(held_.front());
    held_.erase(held_.begin());
    return reply;
  }
  std::vector<FetchRequest> Requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  FetchResponse answer_;
  bool hold_long_polls_ = false;
  std::vector<FetchRequest> requests_;
  std::vector<std::function<void(FetchResponse)>> held_;
};

class PeerServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    node_.gateway().AddService(std::make_unique<PeerService>(&handler_));
    node_.Start();
    address_ = node_.address();
  }

  // A raw POST (or `method`) of `body` to `path`, for bytes PeerClient never sends.
  http::Response Raw(std::string body, std::string path = std::string(kPeerFetchPath), std::string method = "POST") {
    auto client = http::MakeHttpClient({.url = "http://" + address_});
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    http::Request request;
    request.method = std::move(method);
    request.target = std::move(path);
    request.headers.emplace_back("Content-Type", std::string(kPeerContentType));
    request.body = std::move(body);
    auto answer = (*client)->Send(request);
    EXPECT_TRUE(answer.ok()) << answer.status().ToString();
    return answer.ok() ? *answer : http::Response{};
  }

  static FetchRequest Request(uint32_t max_wait_ms = 0) {
    FetchRequest q = testing::ExampleRequest();
    q.max_wait_ms = max_wait_ms;
    return q;
  }

  FakeFetchHandler handler_;
  testing::GatewayServer node_;
  std::string address_;
};

TEST_F(PeerServiceTest, FetchRoundTripsFromPeerClientThroughTheGatewayToTheHandlerAndBack) {
  FetchResponse answer;
  answer.leader_epoch = 5;
  answer.high_watermark = 43;
  answer.log_end_offset = 44;
  answer.records.push_back({42, 1765100000123, 5, "k1", "hello"});
  answer.records.push_back({43, 1765100000124, 4, "k2", std::string(100000, 'w')});
  handler_.Answer(answer);

  PeerClient client;
  auto response = client.Fetch(address_, Request());
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->error, FetchError::kNone);
  EXPECT_EQ(response->high_watermark, 43u);
  ASSERT_EQ(response->records.size(), 2u);
  EXPECT_EQ(response->records[1].leader_epoch, 4);
  EXPECT_EQ(response->records[1].data, answer.records[1].data);

  auto requests = handler_.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].shard, Request().shard);
  EXPECT_EQ(requests[0].follower, "n2");
  EXPECT_EQ(requests[0].fetch_offset, 42u);
  EXPECT_EQ(requests[0].durable_end, 40u);
  EXPECT_EQ(requests[0].last_fetched_epoch, 4);
}

TEST_F(PeerServiceTest, AFetchErrorIsAnAnswerNotAnError) {
  FetchResponse not_leader;
  not_leader.error = FetchError::kNotLeader;
  not_leader.message = "n1 does not lead orders/3";
  not_leader.leader_epoch = 6;
  handler_.Answer(not_leader);
  PeerClient client;
  auto response = client.Fetch(address_, Request());
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->error, FetchError::kNotLeader);
  EXPECT_EQ(response->message, "n1 does not lead orders/3");
  EXPECT_EQ(response->leader_epoch, 6);
}

TEST_F(PeerServiceTest, AMalformedBodyGetsA400NamingWhatIsWrong) {
  std::string truncated = EncodeFetchRequest(Request());
  truncated.resize(truncated.size() - 3);
  http::Response answer = Raw(truncated);
  EXPECT_EQ(answer.status, 400);
  EXPECT_NE(answer.body.find(R"("__type":"InvalidArgumentException")"), std::string::npos) << answer.body;
  EXPECT_NE(answer.body.find("malformed FetchRequest: truncated at max_wait_ms"), std::string::npos) << answer.body;
  EXPECT_TRUE(handler_.Requests().empty());
}

TEST_F(PeerServiceTest, AnotherVersionIsAnsweredWithUnsupportedVersion) {
  std::string bytes = EncodeFetchRequest(Request());
  bytes[0] = 9;
  http::Response answer = Raw(bytes);
  ASSERT_EQ(answer.status, 200);
  EXPECT_EQ(answer.Header("content-type"), kPeerContentType);
  auto response = DecodeFetchResponse(answer.body);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->error, FetchError::kUnsupportedVersion);
  EXPECT_NE(response->message.find("version 9"), std::string::npos) << response->message;
}

TEST_F(PeerServiceTest, AnotherPathIs404AndAGetIsTheGateways403) {
  http::Response other_path = Raw(EncodeFetchRequest(Request()), "/_sluice/peer/v1/produce");
  EXPECT_EQ(other_path.status, 404);
  EXPECT_NE(other_path.body.find("UnknownOperationException"), std::string::npos) << other_path.body;
  http::Response get = Raw("", std::string(kPeerFetchPath), "GET");
  EXPECT_EQ(get.status, 403);
  EXPECT_TRUE(handler_.Requests().empty());
}

TEST_F(PeerServiceTest, AHeldLongPollBlocksNoEventLoopAndIsAnsweredLaterFromAnotherThread) {
  handler_.HoldLongPolls();
  PeerClient client;
  std::optional<Result<FetchResponse>> long_poll;
  std::thread poller([&] { long_poll.emplace(client.Fetch(address_, Request(/*max_wait_ms=*/2000))); });
  auto reply = handler_.TakeHeld();
  ASSERT_TRUE(reply != nullptr);

  // The server's one event loop still answers another fetch meanwhile.
  auto other = client.Fetch(address_, Request());
  ASSERT_TRUE(other.ok()) << other.status().ToString();

  FetchResponse late;
  late.records.push_back({42, 1, 5, "k", "v"});
  std::thread([reply, late] { reply(late); }).join();
  poller.join();
  ASSERT_TRUE(long_poll.has_value());
  ASSERT_TRUE(long_poll->ok()) << long_poll->status().ToString();
  ASSERT_EQ((*long_poll)->records.size(), 1u);
  EXPECT_EQ((*long_poll)->records[0].data, "v");
}

TEST_F(PeerServiceTest, AnUnansweredFetchTimesOutAtTheDeadline) {
  handler_.HoldLongPolls();
  PeerClient client({.timeout_ms = 200});
  const int64_t started = MonotonicNanos();
  auto response = client.Fetch(address_, Request(/*max_wait_ms=*/100));
  const int64_t elapsed_ms = (MonotonicNanos() - started) / 1'000'000;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kTimedOut) << response.status().ToString();
  EXPECT_GE(elapsed_ms, 300);
  EXPECT_LT(elapsed_ms, 5000);
  auto reply = handler_.TakeHeld();
  ASSERT_TRUE(reply != nullptr);
  reply(FetchResponse{});  // a reply to a gone client is dropped
}

TEST_F(PeerServiceTest, ANodeNotListeningIsAConnectionFailure) {
  const std::string gone = address_;
  node_.Stop();
  PeerClient client({.timeout_ms = 1000});
  auto response = client.Fetch(gone, Request());
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), ErrorCode::kConnectionFailed) << response.status().ToString();
}

}  // namespace
}  // namespace sluice::cluster
