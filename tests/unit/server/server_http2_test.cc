// The server over real loopback sockets, spoken to in HTTP/2 with prior
// knowledge by an nghttp2 client session.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/h2_client.h"
#include "server/http2_connection.h"
#include "server/server.h"

namespace sluice::server {
namespace {

using testing::H2Client;
using testing::PollUntil;

class Http2Fixture : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.port = 0;
    auto created = Server::Create(options, [this](const HttpRequest& request, Responder respond) {
      ++calls_;
      last_http_major_ = request.http_major;
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
      } else if (request.target == "/big") {
        response.body.assign(3u << 20, 'y');
        response.body[12345] = 'Z';
      } else if (request.target == "/size") {
        response.body = std::to_string(request.body.size()) + ":" + std::to_string(Checksum(request.body));
      } else {
        response.body = std::string(request.method) + " " + std::string(request.target) + " " +
                        std::string(request.Header("host")) + " " + std::string(request.body);
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

  static uint64_t Checksum(std::string_view s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
  }

  size_t HeldCount() {
    std::lock_guard lock(mu_);
    return held_.size();
  }

  static constexpr size_t kLargeBody = 4u << 20;
  std::unique_ptr<Server> server_;
  std::atomic<int> calls_{0};
  std::atomic<int> large_calls_{0};
  std::atomic<int> last_http_major_{0};
  std::mutex mu_;
  std::vector<std::pair<std::string, Responder>> held_;
};

TEST_F(Http2Fixture, PriorKnowledgeRequestIsServed) {
  StartServer();
  H2Client client(server_->port());
  ASSERT_TRUE(client.connected());
  int32_t id = client.Submit("POST", "/one", "payload", {{"x-amz-target", "Kinesis_20131202.PutRecord"}});
  ASSERT_TRUE(client.RunUntil([&] { return client.response(id).closed; }));
  const auto& r = client.response(id);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /one localhost payload");
  EXPECT_EQ(r.Header("content-type"), "text/plain");
  EXPECT_EQ(r.Header("content-length"), std::to_string(r.body.size()));
  EXPECT_FALSE(r.Header("date").empty());
  EXPECT_EQ(last_http_major_.load(), 2);
}

TEST_F(Http2Fixture, ManyConcurrentStreamsOnOneConnection) {
  StartServer();
  H2Client client(server_->port());
  std::vector<int32_t> ids;
  for (int i = 0; i < 50; ++i) ids.push_back(client.Submit("POST", "/s" + std::to_string(i), "b" + std::to_string(i)));
  ASSERT_TRUE(client.RunUntil([&] { return client.AllClosed(); }));
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(client.response(ids[i]).status, 200);
    EXPECT_EQ(client.response(ids[i]).body, "POST /s" + std::to_string(i) + " localhost b" + std::to_string(i));
  }
  EXPECT_EQ(calls_.load(), 50);
}

TEST_F(Http2Fixture, LargeBodiesBothWaysRespectFlowControl) {
  StartServer();
  H2Client client(server_->port());
  std::string upload(3u << 20, '\0');
  for (size_t i = 0; i < upload.size(); ++i) upload[i] = static_cast<char>(i * 7 + (i >> 9));
  int32_t up = client.Submit("POST", "/size", upload);
  int32_t down = client.Submit("GET", "/big", "");
  ASSERT_TRUE(client.RunUntil([&] { return client.AllClosed(); }, 20000));
  EXPECT_EQ(client.response(up).body, std::to_string(upload.size()) + ":" + std::to_string(Checksum(upload)));
  const auto& big = client.response(down);
  ASSERT_EQ(big.body.size(), 3u << 20);
  EXPECT_EQ(big.body[12345], 'Z');
}

TEST_F(Http2Fixture, ClosedFlowControlWindowStopsDispatchUntilItOpens) {
  StartServer();
  H2Client client(server_->port(), {{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 0}});
  constexpr int kRequests = 24;  // 96 MiB of responses if all were dispatched
  std::vector<int32_t> ids;
  for (int i = 0; i < kRequests; ++i) ids.push_back(client.Submit("GET", "/large/" + std::to_string(i), ""));
  ASSERT_TRUE(client.RunUntil([&] { return large_calls_.load() > 0; }));
  ASSERT_TRUE(client.RoundTrip());
  ASSERT_TRUE(client.RoundTrip());
  // No response byte can leave: the budget holds 8 of them.
  constexpr int kBound = static_cast<int>(Http2Connection::kMaxBufferedBytes / kLargeBody) + 1;
  EXPECT_LE(large_calls_.load(), kBound);
  EXPECT_FALSE(client.response(ids[0]).closed);

  // Open the windows: everything is answered.
  nghttp2_settings_entry open{NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, 1u << 20};
  nghttp2_submit_settings(client.session(), NGHTTP2_FLAG_NONE, &open, 1);
  nghttp2_session_set_local_window_size(client.session(), NGHTTP2_FLAG_NONE, 0, 16 << 20);
  ASSERT_TRUE(client.RunUntil([&] { return client.AllClosed(); }, 30000));
  for (int i = 0; i < kRequests; ++i) {
    const auto& r = client.response(ids[i]);
    std::string target = "/large/" + std::to_string(i);
    EXPECT_EQ(r.status, 200) << i;
    ASSERT_EQ(r.body.size(), kLargeBody) << i;
    EXPECT_EQ(r.body.substr(0, target.size()), target);
  }
  EXPECT_EQ(large_calls_.load(), kRequests);
}

TEST_F(Http2Fixture, RequestBodiesOnManyStreamsStayWithinTheBudget) {
  StartServer();
  H2Client client(server_->port());
  constexpr int kStreams = 16;
  constexpr size_t kBody = 8u << 20;  // 128 MiB in all; none can complete
  for (int i = 0; i < kStreams; ++i) client.Submit("POST", "/size", std::string(kBody, 'u'));
  // The client stalls once the server stops reopening the connection window:
  // its window is used up and stays so across PING round trips (which the
  // server answers after processing everything sent before them).
  auto stalled = [&] { return nghttp2_session_get_remote_window_size(client.session()) == 0; };
  bool settled = false;
  for (int round = 0; round < 200 && !settled; ++round) {
    ASSERT_TRUE(client.RunUntil(stalled, 20000));
    size_t uploaded = client.UploadedBytes();
    ASSERT_TRUE(client.RoundTrip());
    ASSERT_TRUE(client.RoundTrip());
    settled = stalled() && client.UploadedBytes() == uploaded;
  }
  ASSERT_TRUE(settled);
  EXPECT_LE(client.UploadedBytes(), Http2Connection::kMaxBufferedBytes);
  EXPECT_GE(client.UploadedBytes(), Http2Connection::kMaxBufferedBytes / 2);
  EXPECT_EQ(calls_.load(), 0);
  // Requests without a body are still served meanwhile.
  int32_t after = client.Submit("GET", "/after", "");
  ASSERT_TRUE(client.RunUntil([&] { return client.response(after).closed; }));
  EXPECT_EQ(client.response(after).status, 200);
}

TEST_F(Http2Fixture, OutOfOrderCompletionFromAnotherThread) {
  StartServer();
  H2Client client(server_->port());
  int32_t first = client.Submit("GET", "/hold/1", "");
  int32_t second = client.Submit("GET", "/hold/2", "");
  ASSERT_TRUE(client.RunUntil([&] { return HeldCount() == 2; }));
  std::thread completer([&] {
    std::lock_guard lock(mu_);
    HttpResponse r2;
    r2.body = "two";
    held_[1].second(std::move(r2));
  });
  completer.join();
  ASSERT_TRUE(client.RunUntil([&] { return client.response(second).closed; }));
  EXPECT_EQ(client.response(second).body, "two");
  EXPECT_FALSE(client.response(first).closed);
  {
    std::lock_guard lock(mu_);
    HttpResponse r1;
    r1.body = "one";
    held_[0].second(std::move(r1));
  }
  ASSERT_TRUE(client.RunUntil([&] { return client.response(first).closed; }));
  EXPECT_EQ(client.response(first).body, "one");
}

TEST_F(Http2Fixture, BodyAboveTheLimitGets413) {
  ServerOptions options;
  options.max_body_bytes = 256 << 10;
  StartServer(options);
  H2Client client(server_->port());
  int32_t declared = client.Submit("POST", "/declared", std::string(300 << 10, 'a'), {{"content-length", "307200"}});
  int32_t streamed = client.Submit("POST", "/streamed", std::string(300 << 10, 'b'));
  int32_t fine = client.Submit("POST", "/fine", "ok");
  ASSERT_TRUE(client.RunUntil([&] { return client.AllClosed(); }));
  EXPECT_EQ(client.response(declared).status, 413);
  EXPECT_EQ(client.response(streamed).status, 413);
  for (int32_t id : {declared, streamed}) {
    EXPECT_EQ(client.response(id).Header("content-type"), "application/x-amz-json-1.1");
    EXPECT_EQ(client.response(id).Header("x-amzn-errortype"), "RequestEntityTooLargeException");
    EXPECT_EQ(client.response(id).body.rfind(R"({"__type":"RequestEntityTooLargeException")", 0), 0u);
  }
  EXPECT_EQ(client.response(fine).status, 200);
  EXPECT_EQ(calls_.load(), 1);
}

TEST_F(Http2Fixture, ResetStreamDropsTheLateResponseAndTheConnectionGoesOn) {
  StartServer();
  H2Client client(server_->port());
  int32_t held = client.Submit("GET", "/hold/reset", "");
  ASSERT_TRUE(client.RunUntil([&] { return HeldCount() == 1; }));
  nghttp2_submit_rst_stream(client.session(), NGHTTP2_FLAG_NONE, held, NGHTTP2_CANCEL);
  int32_t after = client.Submit("GET", "/after", "");
  ASSERT_TRUE(client.RunUntil([&] { return client.response(after).closed; }));
  {
    std::lock_guard lock(mu_);
    held_[0].second(HttpResponse{});  // the stream is gone: dropped
  }
  int32_t again = client.Submit("GET", "/again", "");
  ASSERT_TRUE(client.RunUntil([&] { return client.response(again).closed; }));
  EXPECT_EQ(client.response(again).status, 200);
  EXPECT_EQ(client.response(held).status, 0);
}

TEST_F(Http2Fixture, FreshConnectionPerRequestLikeTheJsSdk) {
  StartServer();
  for (int i = 0; i < 20; ++i) {
    H2Client client(server_->port());
    int32_t id = client.Submit("POST", "/fresh", std::to_string(i));
    ASSERT_TRUE(client.RunUntil([&] { return client.response(id).closed; }));
    EXPECT_EQ(client.response(id).body, "POST /fresh localhost " + std::to_string(i));
  }
}

TEST_F(Http2Fixture, OversizedHeaderBlockGets431) {
  ServerOptions options;
  options.max_header_bytes = 4096;
  StartServer(options);
  H2Client client(server_->port());
  int32_t big = client.Submit("GET", "/big-headers", "", {{"x-big", std::string(8000, 'h')}});
  int32_t fine = client.Submit("GET", "/fine", "");
  ASSERT_TRUE(client.RunUntil([&] { return client.AllClosed(); }));
  EXPECT_EQ(client.response(big).status, 431);
  EXPECT_EQ(client.response(fine).status, 200);
  EXPECT_EQ(calls_.load(), 1);
}

TEST_F(Http2Fixture, PrefaceArrivingByteByByteIsStillSniffed) {
  StartServer();
  testing::TestSocket raw(server_->port());
  std::string preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  for (char c : preface) ASSERT_TRUE(raw.Send(std::string(1, c)));
  ASSERT_TRUE(raw.Send(std::string("\0\0\0\x04\0\0\0\0\0", 9)));  // empty SETTINGS
  // The server's first frame is its SETTINGS: type 0x4 on stream 0.
  int64_t deadline = testing::DeadlineAfterMs(5000);
  std::string got;
  while (got.size() < 9) {
    ASSERT_TRUE(raw.ReadMore(deadline));
    got = raw.Buffered();
  }
  EXPECT_EQ(got[3], '\x04');
  EXPECT_EQ(got.substr(5, 4), std::string("\0\0\0\0", 4));
}

TEST_F(Http2Fixture, ShutdownSendsGoawayAfterInFlightStreamsFinish) {
  StartServer();
  H2Client client(server_->port());
  int32_t id = client.Submit("GET", "/hold/drain", "");
  ASSERT_TRUE(client.RunUntil([&] { return HeldCount() == 1; }));
  std::thread stopper([&] { server_->Shutdown(5000); });
  {
    std::lock_guard lock(mu_);
    HttpResponse r;
    r.body = "bye";
    held_[0].second(std::move(r));
  }
  bool got = client.RunUntil([&] { return client.response(id).closed; });
  stopper.join();
  ASSERT_TRUE(got);
  EXPECT_EQ(client.response(id).body, "bye");
}

}  // namespace
}  // namespace sluice::server
