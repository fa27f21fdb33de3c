// The server over real loopback sockets, spoken to in HTTP/1.1.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/server.h"
#include "server/socket_client.h"

namespace sluice::server {
namespace {

using testing::PollUntil;
using testing::TestSocket;

// A handler that echoes "<method> <target> <body>" with status 200, counting
// calls; requests to /hold keep their Responder for the test to complete.
class EchoFixture : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.port = 0;
    auto created = Server::Create(options, [this](const HttpRequest& request, Responder respond) {
      ++calls_;
      if (request.target.starts_with("/hold")) {
        std::lock_guard lock(mu_);
        held_.emplace_back(std::string(request.target), std::move(respond));
        return;
      }
      HttpResponse response;
      response.headers.emplace_back("Content-Type", "text/plain");
      if (request.target.starts_with("/large/")) {
        ++large_calls_;
        response.body.assign(kLargeBody, '.');
        response.body.replace(0, request.target.size(), request.target);
      } else if (request.target == "/abort") {
        response.abort_connection = true;
      } else if (request.target == "/big") {
        response.body.assign(10u << 20, 'x');
        for (size_t i = 0; i < response.body.size(); i += 4096)
          response.body[i] = static_cast<char>('a' + (i / 4096) % 26);
      } else {
        response.body =
            std::string(request.method) + " " + std::string(request.target) + " " + std::string(request.body);
      }
      respond(std::move(response));
    });
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    server_ = std::move(created.value());
    server_->Start();
  }

  void TearDown() override {
    if (server_) server_->Shutdown(1000);
  }

  size_t HeldCount() {
    std::lock_guard lock(mu_);
    return held_.size();
  }

  // A round trip on a fresh connection: the (single) loop has run the
  // events that were pending for the other connections.
  void LoopBarrier() {
    TestSocket other(server_->port());
    ASSERT_TRUE(other.Send("GET /barrier HTTP/1.1\r\n\r\n"));
    ASSERT_TRUE(other.ReadResponse().has_value());
  }

  static constexpr size_t kLargeBody = 4u << 20;
  std::unique_ptr<Server> server_;
  std::atomic<int> calls_{0};
  std::atomic<int> large_calls_{0};
  std::mutex mu_;
  std::vector<std::pair<std::string, Responder>> held_;
};

TEST_F(EchoFixture, KeepAliveServesSeveralRequestsOnOneConnection) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.connected());
  for (int i = 0; i < 3; ++i) {
    std::string body = "n" + std::to_string(i);
    ASSERT_TRUE(client.Send("POST /k HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                            "\r\n\r\n" + body));
    auto r = client.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "POST /k " + body);
    EXPECT_TRUE(r->HasHeader("Date: "));
    EXPECT_TRUE(r->HasHeader("Content-Type: text/plain\r\n"));
    EXPECT_FALSE(r->HasHeader("Connection: close"));
  }
  EXPECT_EQ(calls_.load(), 3);
}

TEST_F(EchoFixture, PipelinedRequestsInOneWriteAreAllAnswered) {
  StartServer();
  TestSocket client(server_->port());
  std::string batch;
  for (int i = 0; i < 20; ++i) batch += "GET /p" + std::to_string(i) + " HTTP/1.1\r\n\r\n";
  ASSERT_TRUE(client.Send(batch));
  for (int i = 0; i < 20; ++i) {
    auto r = client.ReadResponse();
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->body, "GET /p" + std::to_string(i) + " ");
  }
}

TEST_F(EchoFixture, MorePipelinedRequestsThanTheSlotLimitAreAllAnsweredInOrder) {
  StartServer();
  TestSocket client(server_->port());
  std::string batch;
  for (int i = 0; i < 300; ++i) batch += "POST /q" + std::to_string(i) + " HTTP/1.1\r\nContent-Length: 1\r\n\r\nx";
  ASSERT_TRUE(client.Send(batch));
  for (int i = 0; i < 300; ++i) {
    auto r = client.ReadResponse();
    ASSERT_TRUE(r.has_value()) << i;
    ASSERT_EQ(r->body, "POST /q" + std::to_string(i) + " x");
  }
  EXPECT_EQ(calls_.load(), 300);
}

TEST_F(EchoFixture, ManyPipelinedAsyncRequestsCompletedInReverseStayInOrder) {
  StartServer();
  TestSocket client(server_->port());
  constexpr size_t kRequests = 150;
  std::string batch;
  for (size_t i = 0; i < kRequests; ++i) batch += "GET /hold/" + std::to_string(i) + " HTTP/1.1\r\n\r\n";
  ASSERT_TRUE(client.Send(batch));
  size_t answered = 0;
  while (answered < kRequests) {
    // The server may hold back parsing while many answers are pending; answer
    // whatever reached the handler, newest first, from another thread.
    ASSERT_TRUE(PollUntil([&] { return HeldCount() > answered; }));
    std::thread completer([&] {
      std::lock_guard lock(mu_);
      for (size_t i = held_.size(); i > answered; --i) {
        HttpResponse r;
        r.body = held_[i - 1].first;
        held_[i - 1].second(std::move(r));
      }
      answered = held_.size();
    });
    completer.join();
  }
  for (size_t i = 0; i < kRequests; ++i) {
    auto r = client.ReadResponse();
    ASSERT_TRUE(r.has_value()) << i;
    ASSERT_EQ(r->body, "/hold/" + std::to_string(i));
  }
}

TEST_F(EchoFixture, PipelinedLargeResponsesStopDispatchWhileTheClientDoesNotRead) {
  StartServer();
  TestSocket client(server_->port());
  // Keep the kernel from absorbing much of what the server writes.
  int small = 64 << 10;
  setsockopt(client.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  constexpr int kRequests = 48;  // 192 MiB of responses if all were dispatched
  std::string batch;
  for (int i = 0; i < kRequests; ++i) batch += "GET /large/" + std::to_string(i) + " HTTP/1.1\r\n\r\n";
  ASSERT_TRUE(client.Send(batch));  // every request reaches the server in one read
  ASSERT_TRUE(PollUntil([&] { return large_calls_.load() > 0; }));
  for (int i = 0; i < 3; ++i) LoopBarrier();
  // 16 MiB of unwritten responses stops dispatching: 4 of them, plus what the
  // socket buffers took.
  int dispatched = large_calls_.load();
  EXPECT_LE(dispatched, 8);
  for (int i = 0; i < kRequests; ++i) {
    auto r = client.ReadResponse(20000);
    ASSERT_TRUE(r.has_value()) << i;
    std::string target = "/large/" + std::to_string(i);
    ASSERT_EQ(r->body.size(), kLargeBody) << i;
    ASSERT_EQ(r->body.substr(0, target.size()), target);
    ASSERT_EQ(r->body[target.size()], '.');
  }
  EXPECT_EQ(large_calls_.load(), kRequests);
}

TEST_F(EchoFixture, RequestSentOneByteAtATimeIsServed) {
  StartServer();
  TestSocket client(server_->port());
  std::string request = "POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody";
  for (char c : request) ASSERT_TRUE(client.Send(std::string(1, c)));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "POST /slow body");
}

TEST_F(EchoFixture, HeadResponseCarriesLengthButNoBody) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("HEAD /h HTTP/1.1\r\n\r\nGET /after-head HTTP/1.1\r\n\r\n"));
  auto head = client.ReadUntil("\r\n\r\n");
  ASSERT_TRUE(head.has_value());
  EXPECT_NE(head->find("Content-Length: 8\r\n"), std::string::npos);  // "HEAD /h "
  auto next = client.ReadResponse();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->body, "GET /after-head ");
}

TEST_F(EchoFixture, ExpectContinueWithTooLargeBodyGets413Instead) {
  ServerOptions options;
  options.max_body_bytes = 1000;
  StartServer(options);
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("PUT / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(client.WaitForEof());
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(EchoFixture, OutOfOrderAsyncCompletionIsAnsweredInRequestOrder) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /hold/first HTTP/1.1\r\n\r\nGET /hold/second HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(PollUntil([&] { return HeldCount() == 2; }));
  // Complete the second request first, from another thread.
  std::thread completer([&] {
    std::lock_guard lock(mu_);
    HttpResponse second;
    second.body = "second";
    held_[1].second(std::move(second));
    HttpResponse first;
    first.body = "first";
    held_[0].second(std::move(first));
  });
  completer.join();
  auto r1 = client.ReadResponse();
  auto r2 = client.ReadResponse();
  ASSERT_TRUE(r1.has_value() && r2.has_value());
  EXPECT_EQ(r1->body, "first");
  EXPECT_EQ(r2->body, "second");
}

TEST_F(EchoFixture, SecondRequestWaitsForTheFirstResponse) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /hold/a HTTP/1.1\r\n\r\nGET /quick HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(PollUntil([&] { return HeldCount() == 1 && calls_.load() == 2; }));
  // /quick completed synchronously but must not overtake /hold/a.
  EXPECT_FALSE(client.ReadResponse(200).has_value());
  {
    std::lock_guard lock(mu_);
    HttpResponse a;
    a.body = "a";
    held_[0].second(std::move(a));
  }
  auto r1 = client.ReadResponse();
  ASSERT_TRUE(r1.has_value());
  EXPECT_EQ(r1->body, "a");
  auto r2 = client.ReadResponse();
  ASSERT_TRUE(r2.has_value());
  EXPECT_EQ(r2->body, "GET /quick ");
}

TEST_F(EchoFixture, HugeContentLengthGets413WithoutSendingTheBody) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nContent-Length: 104857600\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(r->HasHeader("Connection: close"));
  EXPECT_TRUE(r->HasHeader("Content-Type: application/x-amz-json-1.1\r\n"));
  EXPECT_TRUE(r->HasHeader("x-amzn-ErrorType: RequestEntityTooLargeException\r\n"));
  EXPECT_EQ(r->body.rfind(R"({"__type":"RequestEntityTooLargeException","message":")", 0), 0u) << r->body;
  EXPECT_TRUE(client.WaitForEof());
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(EchoFixture, BareLfRequestGets400AtOnce) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /bare HTTP/1.1\nHost: x\n\n"));
  auto r = client.ReadResponse(2000);  // the header timeout is 30 s
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(r->HasHeader("x-amzn-ErrorType: MalformedHttpRequestException\r\n"));
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(EchoFixture, ExpectContinueGets100BeforeTheBody) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("PUT /c HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto interim = client.ReadUntil("\r\n\r\n");
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(*interim, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(client.Send("hello"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "PUT /c hello");
}

TEST_F(EchoFixture, ChunkedRequestBodyReachesTheHandlerDecoded) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(
      client.Send("POST /ch HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "POST /ch Wikipedia");
}

TEST_F(EchoFixture, ClientDisconnectingMidBodyNeverReachesTheHandler) {
  StartServer();
  {
    TestSocket quitter(server_->port());
    ASSERT_TRUE(quitter.Send("POST / HTTP/1.1\r\nContent-Length: 1000\r\n\r\nonly-part"));
  }
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /after HTTP/1.1\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "GET /after ");
  EXPECT_EQ(calls_.load(), 1);
}

TEST_F(EchoFixture, BadRequestGets400AndTheConnectionCloses) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GARBAGE\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(client.WaitForEof());
}

TEST_F(EchoFixture, OversizedHeadersGet431) {
  ServerOptions options;
  options.max_header_bytes = 4096;
  StartServer(options);
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET / HTTP/1.1\r\nX-Big: " + std::string(8000, 'b') + "\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(client.WaitForEof());
}

TEST_F(EchoFixture, ConnectionCloseIsHonoured) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /bye HTTP/1.1\r\nConnection: close\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->HasHeader("Connection: close"));
  EXPECT_TRUE(client.WaitForEof());
}

TEST_F(EchoFixture, Http10ClosesAfterOneResponse) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /old HTTP/1.0\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->head.substr(0, 12), "HTTP/1.0 200");
  EXPECT_TRUE(client.WaitForEof());
}

TEST_F(EchoFixture, TenMebibyteResponseArrivesIntact) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /big HTTP/1.1\r\n\r\n"));
  auto r = client.ReadResponse(20000);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->body.size(), 10u << 20);
  for (size_t i = 0; i < r->body.size(); i += 4096) {
    ASSERT_EQ(r->body[i], static_cast<char>('a' + (i / 4096) % 26)) << i;
  }
}

TEST_F(EchoFixture, AnAbortedRequestStillLetsTheAnswersBeforeItGoOutWhole) {
  // An injected dropped connection: the 10 MiB answer before it does not
  // fit the socket at once, and must not be cut short by the close.
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /big HTTP/1.1\r\n\r\nGET /abort HTTP/1.1\r\n\r\n"));
  auto r = client.ReadResponse(20000);
  ASSERT_TRUE(r.has_value()) << "the answer before the aborted request arrived whole";
  ASSERT_EQ(r->body.size(), 10u << 20);
  std::optional<std::string> rest = client.ReadToEof();
  ASSERT_TRUE(rest.has_value()) << "then the connection closed";
  EXPECT_EQ(*rest, "") << "with no answer to the aborted request";
}

TEST_F(EchoFixture, SlowlorisIsClosedAfterTheHeaderTimeout) {
  ServerOptions options;
  options.header_timeout_ms = 200;
  StartServer(options);
  TestSocket client(server_->port());
  int64_t start = MonotonicNanos();
  ASSERT_TRUE(client.Send("POST / HTTP/1.1\r\nHost: x\r\n"));
  ASSERT_TRUE(client.WaitForEof(5000));
  int64_t elapsed_ms = (MonotonicNanos() - start) / 1'000'000;
  EXPECT_GE(elapsed_ms, 150);
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(EchoFixture, IdleConnectionIsClosedAfterTheIdleTimeout) {
  ServerOptions options;
  options.idle_timeout_ms = 200;
  StartServer(options);
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /once HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(client.ReadResponse().has_value());
  ASSERT_TRUE(client.WaitForEof(5000));
}

TEST_F(EchoFixture, ShutdownDrainsAnInFlightRequest) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /hold/drain HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(PollUntil([&] { return HeldCount() == 1; }));
  std::thread stopper([&] { server_->Shutdown(5000); });
  // Once the listener is gone, the drain has begun.
  uint16_t port = server_->port();
  ASSERT_TRUE(PollUntil([&] { return !TestSocket(port).connected(); }));
  {
    std::lock_guard lock(mu_);
    HttpResponse response;
    response.body = "drained";
    held_[0].second(std::move(response));
  }
  auto r = client.ReadResponse();
  stopper.join();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "drained");
  EXPECT_TRUE(r->HasHeader("Connection: close"));
  EXPECT_TRUE(client.WaitForEof());
}

TEST_F(EchoFixture, ShutdownGivesUpOnAHandlerThatNeverAnswers) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /hold/forever HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(PollUntil([&] { return HeldCount() == 1; }));
  int64_t start = MonotonicNanos();
  server_->Shutdown(300);
  int64_t elapsed_ms = (MonotonicNanos() - start) / 1'000'000;
  EXPECT_GE(elapsed_ms, 250);
  EXPECT_LT(elapsed_ms, 3000);
  EXPECT_TRUE(client.WaitForEof());
}

TEST_F(EchoFixture, ResponderCalledAfterTheServerIsGoneIsHarmless) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("GET /hold/late HTTP/1.1\r\n\r\n"));
  ASSERT_TRUE(PollUntil([&] { return HeldCount() == 1; }));
  server_->Shutdown(0);
  server_.reset();
  std::lock_guard lock(mu_);
  held_[0].second(HttpResponse{});  // must not crash (ASan builds check)
  EXPECT_TRUE(client.WaitForEof());
}

TEST_F(EchoFixture, SeveralLoopsShareOnePort) {
  ServerOptions options;
  options.threads = 3;
  StartServer(options);
  std::vector<std::unique_ptr<TestSocket>> clients;
  for (int i = 0; i < 12; ++i) clients.push_back(std::make_unique<TestSocket>(server_->port()));
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(clients[i]->Send("GET /m" + std::to_string(i) + " HTTP/1.1\r\n\r\n"));
  for (int i = 0; i < 12; ++i) {
    auto r = clients[i]->ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, "GET /m" + std::to_string(i) + " ");
  }
}

TEST(ServerCreateTest, BindingATakenPortFailsWithIoError) {
  ServerOptions options;
  options.port = 0;
  auto first = Server::Create(options, [](const HttpRequest&, Responder r) { r(HttpResponse{}); });
  ASSERT_TRUE(first.ok());
  // SO_REUSEPORT lets sockets of the same user share a port, so use an
  // unresolvable host to get a deterministic failure instead.
  options.host = "no-such-host.invalid";
  auto second = Server::Create(options, [](const HttpRequest&, Responder r) { r(HttpResponse{}); });
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kIoError);
}

}  // namespace
}  // namespace sluice::server
