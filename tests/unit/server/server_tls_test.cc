// TLS on the server: HTTP/1.1 and HTTP/2 over TLS chosen by ALPN (with real
// OpenSSL clients) or, without ALPN, by the HTTP/2 preface, TLS and plain
// HTTP sniffed apart on one port, a TLS-only port, streamed responses over
// TLS, the self-signed certificate, and hostile or broken handshakes that
// must cost one connection only.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "server/h2_client.h"
#include "server/server.h"
#include "server/socket_client.h"
#include "server/stream_probe.h"
#include "server/tls_certificate.h"

namespace sluice::server {
namespace {

using testing::H2Client;
using testing::PollUntil;
using testing::StreamProbe;
using testing::TestSocket;

constexpr std::string_view kAlpnHttp11("\x08http/1.1", 9);

// One self-signed pair for the whole binary: key generation is the slow part.
const TlsCredentials& Credentials() {
  static const TlsCredentials credentials = [] {
    auto made = MakeSelfSignedCertificate();
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? *made : TlsCredentials{};
  }();
  return credentials;
}

X509* ParseCertificate(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return cert;
}

// A client context that trusts only `cert_pem` and checks the peer.
SSL_CTX* NewClientContext(const std::string& cert_pem) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  X509* cert = ParseCertificate(cert_pem);
  X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), cert);
  X509_free(cert);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  return ctx;
}

// Requests to /stream get a streamed body written by probe_'s hook; /big a
// 3 MiB body; any other request "echo <target> <body size>".
class TlsServerFixture : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_FALSE(Credentials().cert_pem.empty()); }

  void StartServer(ServerOptions options = {}, bool tls = true, bool separate_port = false) {
    options.port = 0;
    options.tls.enabled = tls;
    options.tls.separate_port = separate_port;
    options.tls.cert_pem = Credentials().cert_pem;
    options.tls.key_pem = Credentials().key_pem;
    auto created = Server::Create(options, [this](const HttpRequest& request, Responder respond) {
      ++calls_;
      HttpResponse response;
      if (request.target == "/stream") {
        response.headers.emplace_back("Content-Type", "application/vnd.amazon.eventstream");
        response.streaming = probe_->MakeBody(256u << 10);
      } else if (request.target == "/big") {
        response.body = testing::PatternPiece(0, 3u << 20);
      } else {
        response.body = "echo " + std::string(request.target) + " " + std::to_string(request.body.size());
      }
      respond(std::move(response));
    });
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    server_ = std::move(created.value());
    server_->Start();
  }

  void TearDown() override {
    if (server_) server_->Shutdown(1000);
    probe_->JoinProducer();
    if (client_ctx_ != nullptr) SSL_CTX_free(client_ctx_);
  }

  // Proves the server still serves: a full TLS HTTP/1.1 exchange.
  void ExpectTlsServes(uint16_t port) {
    TestSocket client(port);
    ASSERT_TRUE(client.connected());
    ASSERT_TRUE(client.StartTls(client_ctx_, kAlpnHttp11));
    ASSERT_TRUE(client.Send("GET /alive HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    auto r = client.ReadResponse();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->body, "echo /alive 0");
  }

  std::unique_ptr<Server> server_;
  std::shared_ptr<StreamProbe> probe_ = StreamProbe::Create();
  std::atomic<int> calls_{0};
  SSL_CTX* client_ctx_ = NewClientContext(Credentials().cert_pem);
};

TEST_F(TlsServerFixture, Http11OverTlsWithAlpnAndVerifiedCertificate) {
  StartServer();
  TestSocket client(server_->tls_port());
  ASSERT_TRUE(client.StartTls(client_ctx_, kAlpnHttp11));
  EXPECT_EQ(SSL_get_verify_result(client.ssl()), X509_V_OK);
  EXPECT_EQ(client.Alpn(), "http/1.1");
  EXPECT_GE(SSL_version(client.ssl()), TLS1_2_VERSION);
  ASSERT_TRUE(client.Send("POST /a HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "echo /a 5");
}

TEST_F(TlsServerFixture, Http11OverTlsWithoutAlpnKeepsAliveAndMovesLargeBodies) {
  StartServer();
  EXPECT_EQ(server_->tls_port(), server_->port());
  TestSocket client(server_->port());
  ASSERT_TRUE(client.StartTls(client_ctx_));
  EXPECT_EQ(client.Alpn(), "");
  // A 2 MiB upload spans many records and more than one read budget.
  std::string body(2u << 20, 'u');
  ASSERT_TRUE(client.Send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
                          "\r\n\r\n" + body));
  auto up = client.ReadResponse();
  ASSERT_TRUE(up.has_value());
  EXPECT_EQ(up->body, "echo /up " + std::to_string(body.size()));
  // Pipelined: a 3 MiB response, then a small one, on the same session.
  ASSERT_TRUE(client.Send("GET /big HTTP/1.1\r\nHost: x\r\n\r\nGET /after HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto big = client.ReadResponse(10000);
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(testing::Fnv1a(big->body), testing::Fnv1a(testing::PatternPiece(0, 3u << 20)));
  auto after = client.ReadResponse();
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->body, "echo /after 0");
}

TEST_F(TlsServerFixture, StreamedResponseOverTlsIsChunked) {
  probe_->SetStartHook([](const std::shared_ptr<BodyWriter>& writer) {
    writer->Write("one,");
    writer->Write(std::string(40000, 'x'));
    writer->Write(",two");
    writer->Finish();
  });
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.StartTls(client_ctx_, kAlpnHttp11));
  ASSERT_TRUE(client.Send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->HasHeader("Transfer-Encoding: chunked\r\n"));
  EXPECT_EQ(r->body, "one," + std::string(40000, 'x') + ",two");
}

TEST_F(TlsServerFixture, Http2OverTlsByAlpnServesStreamsAndAStreamedBody) {
  StartServer();
  H2Client client(server_->port(), {}, client_ctx_);
  ASSERT_TRUE(client.connected());
  int32_t plain = client.Submit("POST", "/h2", std::string(100000, 'b'));
  int32_t big = client.Submit("GET", "/big", "");
  ASSERT_TRUE(client.RunUntil([&] { return client.response(plain).closed && client.response(big).closed; }));
  EXPECT_EQ(client.response(plain).status, 200);
  EXPECT_EQ(client.response(plain).body, "echo /h2 100000");
  EXPECT_EQ(testing::Fnv1a(client.response(big).body), testing::Fnv1a(testing::PatternPiece(0, 3u << 20)));

  // A streamed body fed from another thread, with back-pressure.
  int32_t streamed = client.Submit("GET", "/stream", "");
  ASSERT_TRUE(client.RunUntil([&] { return probe_->starts() == 1 && client.response(streamed).status != 0; }));
  probe_->RunProducer([probe = probe_.get()](std::shared_ptr<BodyWriter> writer) {
    probe->ProduceWithBackPressure(*writer, 2u << 20, 10000);
  });
  ASSERT_TRUE(client.RunUntil([&] { return client.response(streamed).closed; }, 20000));
  EXPECT_EQ(client.response(streamed).error_code, 0u);
  EXPECT_EQ(client.response(streamed).body.size(), 2u << 20);
  EXPECT_EQ(testing::Fnv1a(client.response(streamed).body), testing::Fnv1a(testing::PatternPiece(0, 2u << 20)));
}

TEST_F(TlsServerFixture, Http2OverTlsWithoutAlpnIsKnownByItsPreface) {
  StartServer();
  // No ALPN offered: the HTTP/2 preface straight after the handshake (as the Java SDK's Netty
  // client sends it by default over https://).
  H2Client client(server_->port(), {}, client_ctx_, /*alpn=*/{});
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.socket().Alpn(), "");
  ASSERT_TRUE(client.RunUntil([&] { return client.settings_received() > 0; }));
  int32_t plain = client.Submit("POST", "/h2", std::string(100000, 'b'));
  int32_t big = client.Submit("GET", "/big", "");
  ASSERT_TRUE(client.RunUntil([&] { return client.response(plain).closed && client.response(big).closed; }));
  EXPECT_EQ(client.response(plain).status, 200);
  EXPECT_EQ(client.response(plain).body, "echo /h2 100000");
  EXPECT_EQ(testing::Fnv1a(client.response(big).body), testing::Fnv1a(testing::PatternPiece(0, 3u << 20)));
}

TEST_F(TlsServerFixture, Http2PrefaceSplitAcrossTlsRecordsWithoutAlpnGetsSettingsFirst) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.StartTls(client_ctx_));
  ASSERT_EQ(client.Alpn(), "");
  ASSERT_TRUE(client.Send("PRI * HTTP/2.0\r\n"));
  ASSERT_TRUE(client.Send(std::string_view("\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00", 17)));
  // The server's first frame: SETTINGS (type 4), no flags, stream 0, after a 3-byte length.
  auto head = client.ReadUntil(std::string_view("\x04\x00\x00\x00\x00\x00", 6));
  ASSERT_TRUE(head.has_value());
  EXPECT_EQ(head->size(), 9u);
}

TEST_F(TlsServerFixture, Http11OverTlsWithoutAlpnIsNotTakenForHttp2) {
  StartServer();
  TestSocket client(server_->port());
  ASSERT_TRUE(client.StartTls(client_ctx_));
  // Starts like the preface ("P"), then parts from it.
  ASSERT_TRUE(client.Send("POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi"));
  auto r = client.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "echo /p 2");
}

TEST_F(TlsServerFixture, SamePortStillServesPlainHttp11AndH2c) {
  StartServer();
  TestSocket plain(server_->port());
  ASSERT_TRUE(plain.Send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = plain.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "echo /plain 0");

  H2Client h2c(server_->port());
  ASSERT_TRUE(h2c.connected());
  int32_t id = h2c.Submit("GET", "/h2c", "");
  ASSERT_TRUE(h2c.RunUntil([&] { return h2c.response(id).closed; }));
  EXPECT_EQ(h2c.response(id).body, "echo /h2c 0");
}

TEST_F(TlsServerFixture, TlsOffLeavesThePortPlain) {
  ServerOptions options;
  options.header_timeout_ms = 300;  // the ClientHello never ends a header block
  StartServer(options, /*tls=*/false);
  EXPECT_EQ(server_->tls_port(), 0);
  TestSocket client(server_->port());
  EXPECT_FALSE(client.StartTls(client_ctx_, kAlpnHttp11));
  TestSocket plain(server_->port());
  ASSERT_TRUE(plain.Send("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = plain.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "echo /plain 0");
}

TEST_F(TlsServerFixture, GarbageAfterAClientHelloStartClosesOnlyThatConnection) {
  StartServer();
  TestSocket client(server_->port());
  // A handshake record header, then bytes that are no ClientHello.
  std::string garbage("\x16\x03\x01\x00\x40", 5);
  garbage += std::string(64, '\xAB');
  ASSERT_TRUE(client.Send(garbage));
  EXPECT_TRUE(client.WaitForEof());
  ExpectTlsServes(server_->port());
}

TEST_F(TlsServerFixture, ClientLeavingMidHandshakeIsForgotten) {
  StartServer();
  for (int i = 0; i < 3; ++i) {
    TestSocket client(server_->port());
    ASSERT_TRUE(client.Send(std::string("\x16\x03\x01\x02\x00\x01\x00\x01", 8)));  // a truncated record
    client.Close();
  }
  ExpectTlsServes(server_->port());
  EXPECT_EQ(calls_.load(), 1);
}

TEST_F(TlsServerFixture, ClientVanishingDuringALargeResponseCostsOnlyItsConnection) {
  StartServer();
  for (int i = 0; i < 3; ++i) {
    TestSocket client(server_->port());
    ASSERT_TRUE(client.StartTls(client_ctx_, kAlpnHttp11));
    ASSERT_TRUE(client.Send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(client.WaitForBuffered("HTTP/1.1 200"));
    // Gone with most of 3 MiB unsent: the server's writes now fail (EPIPE,
    // reset), which must not raise SIGPIPE in this process.
    client.Close();
  }
  ExpectTlsServes(server_->port());
}

TEST_F(TlsServerFixture, StalledHandshakeEndsAtTheHeaderTimeout) {
  ServerOptions options;
  options.header_timeout_ms = 200;
  StartServer(options);
  TestSocket client(server_->port());
  ASSERT_TRUE(client.Send(std::string("\x16\x03\x01", 3)));  // and nothing more
  EXPECT_TRUE(client.WaitForEof(5000));
  ExpectTlsServes(server_->port());
}

TEST_F(TlsServerFixture, SeparateTlsPortRefusesPlaintextAndKeepsMainPortPlain) {
  ServerOptions options;
  options.header_timeout_ms = 300;  // a ClientHello on the plain port never ends a header block
  StartServer(options, true, /*separate_port=*/true);
  ASSERT_NE(server_->tls_port(), server_->port());
  ASSERT_NE(server_->tls_port(), 0);
  TestSocket plain_on_tls(server_->tls_port());
  ASSERT_TRUE(plain_on_tls.Send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto rest = plain_on_tls.ReadToEof();
  ASSERT_TRUE(rest.has_value());
  EXPECT_EQ(rest->find("HTTP/1.1"), std::string::npos);  // at most an alert, never a response

  // The main port is plain only: a TLS handshake there fails.
  TestSocket tls_on_plain(server_->port());
  EXPECT_FALSE(tls_on_plain.StartTls(client_ctx_, kAlpnHttp11));
  TestSocket plain(server_->port());
  ASSERT_TRUE(plain.Send("GET /p HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto r = plain.ReadResponse();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "echo /p 0");

  ExpectTlsServes(server_->tls_port());
  H2Client h2(server_->tls_port(), {}, client_ctx_);
  ASSERT_TRUE(h2.connected());
  int32_t id = h2.Submit("GET", "/h2tls", "");
  ASSERT_TRUE(h2.RunUntil([&] { return h2.response(id).closed; }));
  EXPECT_EQ(h2.response(id).body, "echo /h2tls 0");
  EXPECT_EQ(calls_.load(), 3);
}

TEST_F(TlsServerFixture, ShutdownClosesTlsConnectionsMidHandshakeAndIdle) {
  StartServer();
  TestSocket handshaking(server_->port());
  ASSERT_TRUE(handshaking.Send(std::string("\x16\x03\x01", 3)));
  TestSocket idle(server_->port());
  ASSERT_TRUE(idle.StartTls(client_ctx_, kAlpnHttp11));
  ASSERT_TRUE(idle.Send("GET /i HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(idle.ReadResponse().has_value());
  server_->Shutdown(2000);
  EXPECT_TRUE(handshaking.WaitForEof(1000));
  EXPECT_TRUE(idle.WaitForEof(1000));
}

TEST(TlsServerCreate, RefusesAKeyThatDoesNotMatch) {
  auto other = MakeSelfSignedCertificate();
  ASSERT_TRUE(other.ok());
  ServerOptions options;
  options.port = 0;
  options.tls.enabled = true;
  options.tls.cert_pem = Credentials().cert_pem;
  options.tls.key_pem = other->key_pem;
  auto created = Server::Create(options, [](const HttpRequest&, Responder respond) { respond({}); });
  EXPECT_FALSE(created.ok());
  options.tls.cert_pem = "not a certificate";
  EXPECT_FALSE(Server::Create(options, [](const HttpRequest&, Responder respond) { respond({}); }).ok());
}

TEST(TlsCertificate, SelfSignedVerifiesAgainstItselfForLocalhostAndLoopback) {
  X509* cert = ParseCertificate(Credentials().cert_pem);
  ASSERT_NE(cert, nullptr);
  EXPECT_EQ(X509_check_host(cert, "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert, "127.0.0.1", 0), 1);
  EXPECT_NE(X509_check_host(cert, "example.com", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_ip_asc(cert, "10.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ca(cert), 1);
  // The certificate as its own CA bundle.
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, cert);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, cert, nullptr);
  X509_VERIFY_PARAM_set1_host(X509_STORE_CTX_get0_param(ctx), "localhost", 0);
  X509_VERIFY_PARAM_set_purpose(X509_STORE_CTX_get0_param(ctx), X509_PURPOSE_SSL_SERVER);
  EXPECT_EQ(X509_verify_cert(ctx), 1) << X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  // Ten years, give or take.
  int days = 0, seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert), X509_get0_notAfter(cert)), 1);
  EXPECT_GE(days, 3640);
  X509_free(cert);
  auto fingerprint = CertificateFingerprint(Credentials().cert_pem);
  ASSERT_TRUE(fingerprint.ok());
  EXPECT_EQ(*fingerprint, Credentials().fingerprint);
  EXPECT_EQ(fingerprint->size(), 32u * 3 - 1);
}

TEST(TlsCertificate, MadeOnceInTheDirectoryAndReusedAfterwards) {
  std::string dir = (std::filesystem::temp_directory_path() /
                     ("sluice-tls-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand())))
                        .string();
  auto first = LoadOrMakeTlsCredentials(dir + "/tls");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(first->generated);
  EXPECT_EQ(first->cert_path, dir + "/tls/cert.pem");
  struct stat st {};
  ASSERT_EQ(::stat((dir + "/tls/key.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto second = LoadOrMakeTlsCredentials(dir + "/tls");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->generated);
  EXPECT_EQ(second->fingerprint, first->fingerprint);
  EXPECT_EQ(second->key_pem, first->key_pem);
  // And a server takes it.
  ServerOptions options;
  options.port = 0;
  options.tls.enabled = true;
  options.tls.cert_pem = second->cert_pem;
  options.tls.key_pem = second->key_pem;
  EXPECT_TRUE(Server::Create(options, [](const HttpRequest&, Responder respond) { respond({}); }).ok());
  std::filesystem::remove_all(dir);
}

TEST(TlsCertificate, TemporaryCertificateFileHoldsThePem) {
  std::string path = WriteTemporaryCertificate(Credentials().cert_pem);
  ASSERT_FALSE(path.empty());
  auto loaded = LoadTlsCredentials(path, path);  // the key is not parsed here
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->cert_pem, Credentials().cert_pem);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace sluice::server
