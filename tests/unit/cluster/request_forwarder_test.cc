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

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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

TEST(RequestForwarderTest, AFullQueueRefusesAtOnceWithoutQueueing) {
  SeeingServer leader;
  RequestForwarder forwarder(ForwarderOptions{.threads = 1, .max_queued = 0, .timeout_ms = 2000});
  Outcome out = ForwardAndWait(forwarder, leader.address(), APut());
  ASSERT_FALSE(out.answer.ok());
  EXPECT_EQ(out.answer.status().code(), ErrorCode::kServiceUnavailable);
  EXPECT_EQ(out.thread, std::this_thread::get_id()) << "answered inline, never queued";
  EXPECT_EQ(forwarder.failed(), 1u);
}

// A node that accepts connections and never answers: the kernel's backlog
// takes the connection, nobody reads it.
class MuteNode {
 public:
  MuteNode() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), len), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port_ = ntohs(addr.sin_port);
  }
  ~MuteNode() { ::close(fd_); }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

TEST(RequestForwarderTest, StopAnswersTheQueuedCallsWithCancelledAndRefusesLaterOnes) {
  MuteNode mute;
  RequestForwarder forwarder(ForwarderOptions{.threads = 1, .max_queued = 16, .timeout_ms = 1000});
  auto first = std::make_shared<std::promise<Status>>();
  auto queued = std::make_shared<std::promise<Status>>();
  forwarder.Forward(mute.address(), APut(), [first](Result<gateway::ForwardedResponse> r) {
    first->set_value(r.ok() ? Status::Ok() : r.status());
  });
  // The one worker is busy with the first; the second waits in the queue.
  forwarder.Forward(mute.address(), APut(), [queued](Result<gateway::ForwardedResponse> r) {
    queued->set_value(r.ok() ? Status::Ok() : r.status());
  });
  forwarder.Stop();
  auto first_done = first->get_future();
  auto queued_done = queued->get_future();
  ASSERT_EQ(first_done.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  ASSERT_EQ(queued_done.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_FALSE(first_done.get().ok()) << "the mute node never answered";
  // The worker could take it only after the first call's 1 s: Stop had emptied the queue by then.
  EXPECT_EQ(queued_done.get().code(), ErrorCode::kCancelled);
  Outcome after = ForwardAndWait(forwarder, mute.address(), APut());
  ASSERT_FALSE(after.answer.ok());
  EXPECT_EQ(after.answer.status().code(), ErrorCode::kCancelled);
  forwarder.Stop();  // idempotent
}

}  // namespace
}  // namespace sluice::cluster
