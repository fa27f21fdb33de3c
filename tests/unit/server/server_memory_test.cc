// The server-wide memory budget and the body deadline, over real loopback
// sockets: HTTP/1.1 (TestSocket) and HTTP/2 (H2Client).
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "server/h2_client.h"
#include "server/server.h"
#include "server/socket_client.h"
#include "util/clock.h"

namespace sluice::server {
namespace {

using testing::H2Client;
using testing::TestSocket;

constexpr size_t kBudget = 1 << 20;

class MemoryFixture : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options) {
    options.port = 0;
    auto created = Server::Create(options, [this](const HttpRequest& request, Responder respond) {
      ++calls_;
      HttpResponse response;
      response.body = std::to_string(request.body.size());
      respond(std::move(response));
    });
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    server_ = std::move(created.value());
    server_->Start();
  }
  void TearDown() override {
    if (server_) server_->Shutdown(1000);
  }

  static std::string Head(size_t content_length) {
    return "POST /body HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(content_length) + "\r\n\r\n";
  }

  std::unique_ptr<Server> server_;
  std::atomic<int> calls_{0};
};

TEST_F(MemoryFixture, SecondBodyThatDoesNotFitTheBudgetGets503AndTheFirstIsServed) {
  ServerOptions options;
  options.max_buffered_bytes = kBudget;
  StartServer(options);
  const size_t length = kBudget * 3 / 4;
  TestSocket a(server_->port()), b(server_->port());
  ASSERT_TRUE(a.Send(Head(length) + std::string(length / 2, 'a')));
  ASSERT_TRUE(b.Send(Head(length) + std::string(length / 2, 'b')));
  // Whichever the server took second is refused from its Content-Length.
  ASSERT_TRUE(testing::PollUntil([&] { return a.Readable(0) || b.Readable(0); }));
  TestSocket& refused = a.Readable(0) ? a : b;
  TestSocket& admitted = a.Readable(0) ? b : a;
  auto r = refused.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(r->body.rfind(R"({"__type":"ServiceUnavailable","message":)", 0), 0u) << r->body;
  EXPECT_TRUE(r->HasHeader("Connection: close"));
  // The admitted body is not hurt.
  ASSERT_TRUE(admitted.Send(std::string(length - length / 2, 'c')));
  auto ok = admitted.ReadResponse();
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(ok->body, std::to_string(length));
  // Its share went back: the same body fits again.
  TestSocket c(server_->port());
  ASSERT_TRUE(c.Send(Head(length) + std::string(length, 'd')));
  auto again = c.ReadResponse();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(calls_.load(), 2);
}

TEST_F(MemoryFixture, ChunkedBodyGrowingPastTheBudgetGets503) {
  ServerOptions options;
  options.max_buffered_bytes = kBudget;
  StartServer(options);
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send("POST /body HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"));
  const std::string chunk(64 << 10, 'x');
  std::string framed = "10000\r\n" + chunk + "\r\n";
  std::string many;
  for (size_t sent = 0; sent < kBudget * 2; sent += chunk.size()) many += framed;
  client.Send(many);  // the server may stop reading (and close) part way
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(MemoryFixture, BodyArrivingTooSlowlyGets408AndTheConnectionCloses) {
  ServerOptions options;
  options.body_timeout_ms = 300;
  StartServer(options);
  TestSocket client(server_->port());
  int64_t start = MonotonicNanos();
  ASSERT_TRUE(client.Send(Head(10) + "a"));
  auto r = client.ReadResponse(5000);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 408);
  EXPECT_GE((MonotonicNanos() - start) / 1'000'000, 250);
  EXPECT_TRUE(client.WaitForEof());
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(MemoryFixture, Http2BodyDeclaredPastTheBudgetGets503AndOtherStreamsAreServed) {
  ServerOptions options;
  options.max_buffered_bytes = kBudget;
  StartServer(options);
  H2Client client(server_->port());
  const size_t big = kBudget + (256 << 10);
  int32_t refused = client.Submit("POST", "/big", std::string(big, 'a'), {{"content-length", std::to_string(big)}});
  int32_t fine = client.Submit("POST", "/fine", "ok");
  ASSERT_TRUE(client.RunUntil([&] { return client.response(refused).closed && client.response(fine).closed; }));
  EXPECT_EQ(client.response(refused).status, 503);
  EXPECT_EQ(client.response(fine).status, 200);
  EXPECT_EQ(calls_.load(), 1);
}

TEST_F(MemoryFixture, Http2BodyStreamedPastTheBudgetGets503) {
  ServerOptions options;
  options.max_buffered_bytes = kBudget;
  StartServer(options);
  H2Client client(server_->port());
  int32_t refused = client.Submit("POST", "/big", std::string(kBudget + (256 << 10), 'a'));
  ASSERT_TRUE(client.RunUntil([&] { return client.response(refused).closed; }));
  EXPECT_EQ(client.response(refused).status, 503);
  EXPECT_EQ(calls_.load(), 0);
}

TEST_F(MemoryFixture, Http2BodyArrivingTooSlowlyGets408AndOtherStreamsAreServed) {
  ServerOptions options;
  options.body_timeout_ms = 300;
  StartServer(options);
  H2Client client(server_->port());
  // Ten bytes declared, one sent, and then nothing (the provider defers).
  struct Partial {
    bool sent = false;
  } partial;
  nghttp2_data_provider provider{};
  provider.source.ptr = &partial;
  provider.read_callback = [](nghttp2_session*, int32_t, uint8_t* buf, size_t, uint32_t*, nghttp2_data_source* source,
                              void*) -> ssize_t {
    auto* p = static_cast<Partial*>(source->ptr);
    if (p->sent) return NGHTTP2_ERR_DEFERRED;
    p->sent = true;
    buf[0] = 'a';
    return 1;
  };
  std::string names[] = {":method", ":scheme", ":authority", ":path", "content-length"};
  std::string values[] = {"POST", "http", "localhost", "/slow", "10"};
  std::vector<nghttp2_nv> nva;
  for (size_t i = 0; i < 5; ++i) {
    nva.push_back({reinterpret_cast<uint8_t*>(names[i].data()), reinterpret_cast<uint8_t*>(values[i].data()),
                   names[i].size(), values[i].size(), NGHTTP2_NV_FLAG_NONE});
  }
  int64_t start = MonotonicNanos();
  int32_t slow = nghttp2_submit_request(client.session(), nullptr, nva.data(), nva.size(), &provider, nullptr);
  ASSERT_GT(slow, 0);
  // The whole answer arrives, and the server closes the stream (RST_STREAM
  // NO_ERROR, RFC 9113 8.1: the rest of the body is not wanted) although the
  // client's body never ended.
  const std::string refusal =
      R"({"__type":"RequestTimeoutException","message":"The request body did not arrive within the body timeout."})";
  ASSERT_TRUE(client.RunUntil([&] { return client.response(slow).closed; }));
  EXPECT_EQ(client.response(slow).body, refusal);
  EXPECT_EQ(client.response(slow).status, 408);
  EXPECT_EQ(client.response(slow).error_code, static_cast<uint32_t>(NGHTTP2_NO_ERROR));
  EXPECT_GE((MonotonicNanos() - start) / 1'000'000, 250);
  // The connection lives on: another stream is served.
  int32_t fine = client.Submit("POST", "/fine", "ok");
  ASSERT_TRUE(client.RunUntil([&] { return client.response(fine).closed; }));
  EXPECT_EQ(client.response(fine).status, 200);
  EXPECT_EQ(calls_.load(), 1);
}

}  // namespace
}  // namespace sluice::server
