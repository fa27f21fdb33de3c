// The outbound HTTP client against a real Sluice HTTP server on loopback:
// HTTP/1.1 keep-alive and HTTP/2 (h2c, and h2 by ALPN over TLS), whole and
// streamed answers, certificate verification, cancellation.
#include "http/http_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "http/echo_server.h"
#include "util/clock.h"

namespace sluice::http {
namespace {

using testing::EchoServer;

std::shared_ptr<HttpClient> MustMake(const ClientOptions& options) {
  auto made = MakeHttpClient(options);
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return made.ok() ? made.value() : nullptr;
}

Request Post(std::string target, std::string body) {
  Request r;
  r.method = "POST";
  r.target = std::move(target);
  r.headers = {{"X-Test", "yes"}, {"Content-Type", "text/plain"}};
  r.body = std::move(body);
  return r;
}

// Collects a streamed body.
struct Collect final : BodySink {
  void OnBody(int s, std::string_view bytes) override {
    status = s;
    got.append(bytes);
    ++calls;
  }
  int status = 0;
  std::string got;
  int calls = 0;
};

class HttpClientTest : public ::testing::TestWithParam<Protocol> {
 protected:
  // The protocol under test, to `server`.
  ClientOptions OptionsFor(const EchoServer& server) const {
    ClientOptions options;
    options.url = server.Url();
    options.protocol = GetParam();
    return options;
  }
  // A GET of `target`.
  static Request Get(std::string target) {
    Request r;
    r.target = std::move(target);
    return r;
  }
};

TEST_P(HttpClientTest, SendsTheRequestAndReadsTheWholeAnswer) {
  EchoServer server;
  auto client = MustMake(OptionsFor(server));
  ASSERT_NE(client, nullptr);
  Result<Response> r = client->Send(Post("/a/b?x=1", "hello"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, "/a/b?x=1|hello");
  EXPECT_EQ(r->Header("x-echo-method"), "POST");
  EXPECT_EQ(r->Header("X-Echo-Test"), "yes");
  EXPECT_EQ(r->Header("x-echo-version"), GetParam() == Protocol::kHttp2 ? "2" : "1");
}

TEST_P(HttpClientTest, CallsInARowShareOneConnection) {
  EchoServer server;
  auto client = MustMake(OptionsFor(server));
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 5; ++i) {
    Result<Response> r = client->Send(Post("/n" + std::to_string(i), std::string(i * 1000, 'x')));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->body.size(), 3 + 1 + static_cast<size_t>(i) * 1000);
  }
  const server::OpenConnections open = server.server().Connections();
  EXPECT_EQ(open.http1 + open.http2, 1);
  EXPECT_EQ(GetParam() == Protocol::kHttp2 ? open.http2 : open.http1, 1);
}

TEST_P(HttpClientTest, StreamedBodyGoesToTheSinkAsItArrives) {
  EchoServer server;
  auto client = MustMake(OptionsFor(server));
  ASSERT_NE(client, nullptr);
  Collect sink;
  ExchangeOptions exchange;
  exchange.sink = &sink;
  exchange.idle_timeout_ms = 5000;
  Result<Response> r = client->Stream(Get("/stream"), exchange);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(sink.got, "onetwothree");
  EXPECT_EQ(sink.status, 200);
  EXPECT_GE(sink.calls, 1);
  // The connection is still good for the next call.
  Result<Response> next = client->Send(Post("/after", ""));
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->body, "/after|");
}

TEST_P(HttpClientTest, StopEndsAStreamThatSendsNothing) {
  EchoServer server;
  auto client = MustMake(OptionsFor(server));
  ASSERT_NE(client, nullptr);
  std::atomic<bool> stop{false};
  Collect sink;
  ExchangeOptions exchange;
  exchange.sink = &sink;
  exchange.idle_timeout_ms = 60'000;
  exchange.stop = [&] { return stop.load(); };
  std::thread stopper([&] {
    // Stop once the server has the stream open (the call is then waiting).
    const int64_t deadline = MonotonicMillis() + 5000;
    while (MonotonicMillis() < deadline) {
      const server::OpenConnections open = server.server().Connections();
      if (open.http1 + open.http2 > 0) break;
      std::this_thread::yield();
    }
    stop = true;
  });
  const int64_t start = MonotonicMillis();
  Result<Response> r = client->Stream(Get("/silent"), exchange);
  stopper.join();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kCancelled);
  EXPECT_LT(MonotonicMillis() - start, 5000);
}

TEST_P(HttpClientTest, IdleTimeoutEndsAWaitWithTimedOut) {
  EchoServer server;
  auto client = MustMake(OptionsFor(server));
  ASSERT_NE(client, nullptr);
  Collect sink;
  ExchangeOptions exchange;
  exchange.sink = &sink;
  exchange.idle_timeout_ms = 200;
  Result<Response> r = client->Stream(Get("/silent"), exchange);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kTimedOut);
}

TEST_P(HttpClientTest, AConnectionTheServerClosedWhileIdleIsReplacedUnseen) {
  EchoServer server(EchoServer::Options{.tls = false, .idle_timeout_ms = 100});
  auto client = MustMake(OptionsFor(server));
  ASSERT_NE(client, nullptr);
  ASSERT_TRUE(client->Send(Post("/first", "")).ok());
  const int64_t deadline = MonotonicMillis() + 5000;
  while (server.server().Connections().http1 + server.server().Connections().http2 > 0) {
    ASSERT_LT(MonotonicMillis(), deadline) << "the server kept the idle connection";
    std::this_thread::yield();
  }
  Result<Response> r = client->Send(Post("/second", ""));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "/second|");
}

TEST_P(HttpClientTest, NobodyListeningIsConnectionFailed) {
  ClientOptions options;
  {
    EchoServer gone;
    options.url = gone.Url();
  }
  options.protocol = GetParam();
  auto client = MustMake(options);
  ASSERT_NE(client, nullptr);
  Result<Response> r = client->Send(Post("/", ""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kConnectionFailed);
}

TEST_P(HttpClientTest, TlsWithTheServersCertificateAsCaIsVerifiedAndWorks) {
  EchoServer server(EchoServer::Options{.tls = true});
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    ClientOptions options;
    options.url = server.Url(host);
    options.protocol = GetParam();
    options.tls.ca_file = server.cert_file();
    auto client = MustMake(options);
    ASSERT_NE(client, nullptr);
    Result<Response> r = client->Send(Post("/tls", "secret"));
    ASSERT_TRUE(r.ok()) << host << ": " << r.status().ToString();
    EXPECT_EQ(r->body, "/tls|secret");
    EXPECT_EQ(r->Header("x-echo-version"), GetParam() == Protocol::kHttp2 ? "2" : "1");
  }
}

TEST_P(HttpClientTest, TlsRefusesACertificateNotSignedByTheTrustedCa) {
  EchoServer server(EchoServer::Options{.tls = true});
  EchoServer other(EchoServer::Options{.tls = true});  // a different self-signed certificate
  ClientOptions options = OptionsFor(server);
  options.tls.ca_file = other.cert_file();
  auto client = MustMake(options);
  ASSERT_NE(client, nullptr);
  Result<Response> r = client->Send(Post("/tls", ""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kTlsFailed);
  EXPECT_NE(r.status().message().find("certificate"), std::string::npos) << r.status().message();
  // Without verification the same server is reachable.
  options.tls.verify = false;
  auto lax = MustMake(options);
  ASSERT_NE(lax, nullptr);
  EXPECT_TRUE(lax->Send(Post("/tls", "")).ok());
}

TEST_P(HttpClientTest, TlsRefusesAHostNameTheCertificateDoesNotName) {
  // 127.0.0.2 is loopback too, but the certificate names 127.0.0.1 and localhost.
  EchoServer server(EchoServer::Options{.tls = true, .host = "127.0.0.2"});
  ClientOptions options;
  options.url = server.Url("127.0.0.2");
  options.protocol = GetParam();
  options.tls.ca_file = server.cert_file();
  auto client = MustMake(options);
  ASSERT_NE(client, nullptr);
  Result<Response> r = client->Send(Post("/tls", ""));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kTlsFailed) << r.status().ToString();
  // The same server by a name the certificate has is fine.
  options.url = server.Url("127.0.0.2");
  options.tls.verify = false;
  auto lax = MustMake(options);
  ASSERT_NE(lax, nullptr);
  EXPECT_TRUE(lax->Send(Post("/tls", "")).ok());
}

INSTANTIATE_TEST_SUITE_P(Protocols, HttpClientTest, ::testing::Values(Protocol::kHttp1, Protocol::kHttp2),
                         [](const auto& info) { return info.param == Protocol::kHttp2 ? "Http2" : "Http1"; });

TEST(HttpClientOptions, ABadUrlIsInvalidArgument) {
  ClientOptions options;
  options.url = "ftp://example.com";
  auto made = MakeHttpClient(options);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), ErrorCode::kInvalidArgument);
}

TEST(HttpClientOptions, AMissingCaFileIsTlsFailed) {
  ClientOptions options;
  options.url = "https://127.0.0.1:1";
  options.tls.ca_file = "/nonexistent/ca.pem";
  auto made = MakeHttpClient(options);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), ErrorCode::kTlsFailed);
}

}  // namespace
}  // namespace sluice::http
