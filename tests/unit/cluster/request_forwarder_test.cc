// The forwarder of cluster mode against a real HTTP server on a loopback
// port: the request arrives as it was given (method, path, headers, body),
// the answer comes back whole, on a thread of the forwarder's; a node that
// is not there fails the call; a full queue refuses at once.
#include "cluster/request_forwarder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "server/server.h"

namespace sluice::cluster {
namespace {

// Answers 207 with what it saw: "<method> <target> <host> <x-sluice-forwarded-by>|<body>".
class SeeingServer {
 public:
  SeeingServer() {
    server::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    auto s = server::Server::Create(options, [](const server::HttpRequest& req, server::Responder respond) {
      server::HttpResponse r;
      r.status = 207;
      r.headers = {{"Content-Type", "text/seen"}, {"x-amzn-ErrorType", "Seen"}};
      r.body = std::string(req.method) + " " + std::string(req.target) + " " + std::string(req.Header("host")) + " " +
               std::string(req.Header(gateway::kForwardedHeader)) + "|" + std::string(req.body);
      respond(std::move(r));
    });
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    if (!s.ok()) return;
    server_ = std::move(s).value();
    server_->Start();
  }
  ~SeeingServer() {
    if (server_) server_->Shutdown(1000);
  }
  std::string address() const { return "127.0.0.1:" + std::to_string(server_ ? server_->port() : 0); }

 private:
  std::unique_ptr<server::Server> server_;
};

struct Outcome {
  Result<gateway::ForwardedResponse> answer = Status(ErrorCode::kInternalFailure, "unset");
  std::thread::id thread;
};

Outcome ForwardAndWait(RequestForwarder& forwarder, const std::string& address, gateway::ForwardedRequest request) {
  auto promise = std::make_shared<std::promise<Outcome>>();
  auto future = promise->get_future();
  forwarder.Forward(address, std::move(request), [promise](Result<gateway::ForwardedResponse> answer) {
    promise->set_value(Outcome{std::move(answer), std::this_thread::get_id()});
  });
  if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    ADD_FAILURE() << "no answer within 20 s";
    return {};
  }
  return future.get();
}

gateway::ForwardedRequest APut() {
  gateway::ForwardedRequest request;
  request.method = "POST";
  request.target = "/";
  request.headers = {
      {"host", "node1:4567"}, {"x-amz-target", "Kinesis_20131202.PutRecord"}, {gateway::kForwardedHeader, "n1"}};
  request.body = R"({"StreamName":"s"})";
  return request;
}

TEST(RequestForwarderTest, TheRequestArrivesAsGivenAndTheWholeAnswerComesBackOnAWorker) {
  SeeingServer leader;
  RequestForwarder forwarder;
  Outcome out = ForwardAndWait(forwarder, leader.address(), APut());
  ASSERT_TRUE(out.answer.ok()) << out.answer.status().ToString();
  EXPECT_EQ(out.answer->status, 207);
  EXPECT_EQ(out.answer->body, R"(POST / node1:4567 n1|{"StreamName":"s"})");
  bool typed = false;
  for (const auto& [name, value] : out.answer->headers) typed |= name == "x-amzn-ErrorType" && value == "Seen";
  EXPECT_TRUE(typed);
  EXPECT_NE(out.thread, std::this_thread::get_id());
  // The connection is kept for the next call.
  Outcome again = ForwardAndWait(forwarder, leader.address(), APut());
  ASSERT_TRUE(again.answer.ok()) << again.answer.status().ToString();
  EXPECT_EQ(forwarder.forwarded(), 2u);
  EXPECT_EQ(forwarder.failed(), 0u);
}

TEST(RequestForwarderTest, ANodeThatIsNotThereFailsTheCall) {
  std::string gone;
  {
    SeeingServer stopped;
    gone = stopped.address();
  }
  RequestForwarder forwarder(ForwarderOptions{.threads = 1, .max_queued = 16, .timeout_ms = 2000});
  Outcome out = ForwardAndWait(forwarder, gone, APut());
  ASSERT_FALSE(out.answer.ok());
  EXPECT_TRUE(out.answer.status().code() == ErrorCode::kConnectionFailed ||
              out.answer.status().code() == ErrorCode::kTimedOut)
      << out.answer.status().ToString();
  EXPECT_EQ(forwarder.failed(), 1u);
}

TEST(RequestForwarderTest, AFullQueueRefusesAtOnceOnAWorker) {
  SeeingServer leader;
  RequestForwarder forwarder(ForwarderOptions{.threads = 1, .max_queued = 0, .timeout_ms = 2000});
  Outcome out = ForwardAndWait(forwarder, leader.address(), APut());
  ASSERT_FALSE(out.answer.ok());
  EXPECT_EQ(out.answer.status().code(), ErrorCode::kServiceUnavailable);
  EXPECT_NE(out.thread, std::this_thread::get_id());
}

}  // namespace
}  // namespace sluice::cluster
