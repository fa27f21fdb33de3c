// Drives LoadLoop against a scripted HTTP server on 127.0.0.1 (one thread
// per accepted connection, blocking I/O).
#include "bench/load_loop.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/scripted_server.h"
#include "util/clock.h"

namespace sluice::bench {
namespace {

constexpr int64_t kTestDeadlineNs = 10'000'000'000;  // generous bound; tests end far sooner

// Sends `total` requests whose bodies are their sequence numbers and
// records each response body.
class CountingHandler : public LoopHandler {
 public:
  explicit CountingHandler(int total, std::string_view host = "127.0.0.1") : total_(total) {
    for (int i = 0; i < total; ++i) {
      std::string body = std::to_string(i);
      requests_.push_back("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                          body);
    }
  }
  Next NextRequest(int conn, int64_t) override {
    if (next_ >= total_) return {};
    sent_on_conn.resize(std::max<size_t>(sent_on_conn.size(), conn + 1));
    sent_on_conn[conn] = std::to_string(next_);
    return {requests_[next_++], 0};
  }
  void OnResponse(int conn, const ResponseParser& r, int64_t, int64_t) override {
    ++responses;
    if (r.status() != 200) ++bad_status;
    if (std::string(r.body()) != sent_on_conn[conn]) ++mismatched;
  }
  void OnTransportError(int, std::string_view what) override {
    ++transport_errors;
    last_error = std::string(what);
    --next_;  // send that request again
  }

  int responses = 0, bad_status = 0, mismatched = 0, transport_errors = 0;
  std::string last_error;
  std::vector<std::string> sent_on_conn;

 private:
  int total_;
  int next_ = 0;
  std::vector<std::string> requests_;
};

bool Echo(int fd, const ScriptedRequest& r) { return SendAll(fd, Ok(r.body)); }

TEST(LoadLoopTest, ManyConnectionsEachGetTheirOwnResponses) {
  ScriptedServer server(Echo);
  LoadLoop loop(server.endpoint(), 8);
  CountingHandler handler(500);
  const Status ran = loop.Run(&handler, MonotonicNanos() + kTestDeadlineNs);
  ASSERT_TRUE(ran.ok()) << ran.ToString();
  EXPECT_EQ(handler.responses, 500);
  EXPECT_EQ(handler.mismatched, 0);
  EXPECT_EQ(handler.bad_status, 0);
  EXPECT_EQ(handler.transport_errors, 0);
  EXPECT_EQ(server.accepted(), 8);
  EXPECT_EQ(loop.abandoned(), 0u);
}

TEST(LoadLoopTest, ChunkedResponsesWrittenInPieces) {
  ScriptedServer server([](int fd, const ScriptedRequest& r) {
    const std::string& body = r.body;
    return SendAll(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n") &&
           SendAll(fd, "\r\n" + std::to_string(body.size()) + "\r\n") &&  // sizes < 10: hex = dec
           SendAll(fd, body) && SendAll(fd, "\r\n0\r\n\r\n");
  });
  LoadLoop loop(server.endpoint(), 2);
  CountingHandler handler(8);  // bodies "0".."7", one hex digit of size
  const Status ran = loop.Run(&handler, MonotonicNanos() + kTestDeadlineNs);
  ASSERT_TRUE(ran.ok()) << ran.ToString();
  EXPECT_EQ(handler.responses, 8);
  EXPECT_EQ(handler.mismatched, 0);
}

TEST(LoadLoopTest, ConnectionCloseReopensWithoutError) {
  ScriptedServer server([](int fd, const ScriptedRequest& r) {
    const std::string& body = r.body;
    SendAll(fd, Ok(body, "Connection: close\r\n"));
    return false;
  });
  LoadLoop loop(server.endpoint(), 1);
  CountingHandler handler(10);
  const Status ran = loop.Run(&handler, MonotonicNanos() + kTestDeadlineNs);
  ASSERT_TRUE(ran.ok()) << ran.ToString();
  EXPECT_EQ(handler.responses, 10);
  EXPECT_EQ(handler.transport_errors, 0);
  EXPECT_EQ(server.accepted(), 10);
}

TEST(LoadLoopTest, CloseMidResponseIsATransportErrorThenRetried) {
  ScriptedServer server([](int fd, const ScriptedRequest& r) {
    const std::string& body = r.body;
    const int request_number = r.number;
    if (request_number == 0) {
      SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ntoo short");
      return false;
    }
    return SendAll(fd, Ok(body));
  });
  LoadLoop loop(server.endpoint(), 1);
  CountingHandler handler(3);
  const Status ran = loop.Run(&handler, MonotonicNanos() + kTestDeadlineNs);
  ASSERT_TRUE(ran.ok()) << ran.ToString();
  EXPECT_EQ(handler.transport_errors, 1);
  EXPECT_NE(handler.last_error.find("closed"), std::string::npos) << handler.last_error;
  EXPECT_EQ(handler.responses, 3);
  EXPECT_EQ(handler.mismatched, 0);
}

TEST(LoadLoopTest, MalformedResponseIsATransportError) {
  ScriptedServer server([](int fd, const ScriptedRequest& r) {
    const std::string& body = r.body;
    const int request_number = r.number;
    if (request_number == 0) return SendAll(fd, "SPDY/9 200 OK\r\n\r\n") && false;
    return SendAll(fd, Ok(body));
  });
  LoadLoop loop(server.endpoint(), 1);
  CountingHandler handler(2);
  const Status ran = loop.Run(&handler, MonotonicNanos() + kTestDeadlineNs);
  ASSERT_TRUE(ran.ok()) << ran.ToString();
  EXPECT_EQ(handler.transport_errors, 1);
  EXPECT_EQ(handler.responses, 2);
}

TEST(LoadLoopTest, NonOkStatusIsDeliveredAsAResponse) {
  ScriptedServer server([](int fd, const ScriptedRequest&) {
    return SendAll(fd, "HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\n\r\n{}");
  });
  LoadLoop loop(server.endpoint(), 1);
  CountingHandler handler(3);
  const Status ran = loop.Run(&handler, MonotonicNanos() + kTestDeadlineNs);
  ASSERT_TRUE(ran.ok()) << ran.ToString();
  EXPECT_EQ(handler.responses, 3);
  EXPECT_EQ(handler.bad_status, 3);
}

// Asks to be woken 20 ms after the start before sending its one request.
class WakeHandler : public LoopHandler {
 public:
  explicit WakeHandler(int64_t wake_at) : wake_at_(wake_at) {}
  Next NextRequest(int, int64_t now) override {
    if (sent) return {};
    if (now < wake_at_) return {{}, wake_at_};
    sent = true;
    sent_at = now;
    return {request_, 0};
  }
  void OnResponse(int, const ResponseParser&, int64_t, int64_t) override { ++responses; }
  void OnTransportError(int, std::string_view) override {}
  bool sent = false;
  int64_t sent_at = 0;
  int responses = 0;

 private:
  int64_t wake_at_;
  std::string request_ = "POST / HTTP/1.1\r\nContent-Length: 1\r\n\r\nw";
};

TEST(LoadLoopTest, WakeTimeDefersTheRequest) {
  ScriptedServer server(Echo);
  LoadLoop loop(server.endpoint(), 1);
  const int64_t wake_at = MonotonicNanos() + 20'000'000;
  WakeHandler handler(wake_at);
  const Status ran = loop.Run(&handler, MonotonicNanos() + kTestDeadlineNs);
  ASSERT_TRUE(ran.ok()) << ran.ToString();
  EXPECT_EQ(handler.responses, 1);
  EXPECT_GE(handler.sent_at, wake_at);
}

TEST(LoadLoopTest, DeadlineAbandonsRequestsInFlight) {
  // The server reads the request and never answers.
  ScriptedServer server([](int, const ScriptedRequest&) { return true; });
  LoadLoop loop(server.endpoint(), 2);
  CountingHandler handler(2);
  const int64_t start = MonotonicNanos();
  const Status ran = loop.Run(&handler, start + 50'000'000);
  ASSERT_TRUE(ran.ok()) << ran.ToString();
  EXPECT_GE(MonotonicNanos() - start, 50'000'000);
  EXPECT_EQ(handler.responses, 0);
  EXPECT_EQ(loop.abandoned(), 2u);
}

TEST(LoadLoopTest, CallReturnsStatusAndBody) {
  ScriptedServer server(Echo);
  Result<CallResponse> response =
      Call(server.endpoint(), "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", kTestDeadlineNs);
  ASSERT_TRUE(response.ok()) << response.status().ToString();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello");
}

TEST(LoadLoopTest, ConnectionRefusedFailsOpen) {
  // Find a port nothing listens on: bind, note the port, close.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  Result<Endpoint> ep = ParseEndpoint("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)));
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  LoadLoop loop(*ep, 1);
  const Status opened = loop.Open();
  EXPECT_EQ(opened.code(), ErrorCode::kConnectionFailed) << opened.ToString();
  EXPECT_NE(opened.message().find("connect"), std::string::npos) << opened.message();
}

TEST(EndpointTest, ParsesHttpUrls) {
  Result<Endpoint> ep = ParseEndpoint("http://127.0.0.1:4567");
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_EQ(ep->host_header, "127.0.0.1:4567");
  EXPECT_EQ(ntohs(ep->addr.sin_port), 4567);
  ep = ParseEndpoint("http://localhost:80/");
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  EXPECT_EQ(ep->host_header, "localhost:80");
  EXPECT_EQ(ParseEndpoint("https://127.0.0.1:443").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseEndpoint("http://127.0.0.1").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseEndpoint("http://127.0.0.1:99999").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ParseEndpoint("http://example.com:80").status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace sluice::bench
