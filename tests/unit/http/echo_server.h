// A real Sluice HTTP server (src/server) on a free loopback port for the
// outbound client's tests: HTTP/1.1 and h2c on one port, TLS (a self-signed
// certificate for localhost and 127.0.0.1, written to a temporary file as
// the CA bundle) on the same port when asked.
//
//   /stream   a streamed 200 body: "one", "two", "three", then the end
//   /silent   a streamed 200 body that never sends a byte
//   anything  201 with X-Echo-Method, X-Echo-Version ("1" or "2") and
//             X-Echo-Test (the request's x-test header); body "<target>|<body>"
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "tls_test_util.h"
#include "server/server.h"
#include "server/tls_certificate.h"

namespace sluice::http::testing {

class EchoServer {
 public:
  struct Options {
    bool tls = false;
    int64_t idle_timeout_ms = 120'000;
    std::string host = "127.0.0.1";  // the address listened on
  };

  explicit EchoServer(Options options) {
    server::ServerOptions sopts;
    sopts.host = options.host;
    sopts.port = 0;
    sopts.idle_timeout_ms = options.idle_timeout_ms;
    if (options.tls && !sluice::testing::EnableSelfSignedTls(sopts, &cert_file_)) return;
    auto s = server::Server::Create(sopts, [](const server::HttpRequest& req, server::Responder respond) {
      server::HttpResponse r;
      if (req.target == "/stream" || req.target == "/silent") {
        r.streaming = std::make_shared<server::StreamingBody>();
        if (req.target == "/stream") {
          r.streaming->on_start = [](std::shared_ptr<server::BodyWriter> w) {
            w->Write("one");
            w->Write("two");
            w->Write("three");
            w->Finish();
          };
        }
      } else {
        r.status = 201;
        r.headers = {{"X-Echo-Method", std::string(req.method)},
                     {"X-Echo-Version", std::to_string(req.http_major)},
                     {"X-Echo-Test", std::string(req.Header("x-test"))}};
        r.body = std::string(req.target) + "|" + std::string(req.body);
      }
      respond(std::move(r));
    });
    if (!s.ok()) {
      ADD_FAILURE() << s.status().ToString();
      return;
    }
    server_ = std::move(s).value();
    server_->Start();
  }
  EchoServer() : EchoServer(Options{}) {}

  ~EchoServer() {
    if (server_) server_->Shutdown(1000);
    if (!cert_file_.empty()) std::remove(cert_file_.c_str());
  }

  // "http://127.0.0.1:<port>" (https:// with TLS), or with another host name.
  std::string Url(const std::string& host = "127.0.0.1") const {
    return std::string(cert_file_.empty() ? "http" : "https") + "://" + host + ":" +
           std::to_string(server_ ? server_->port() : 0);
  }
  const std::string& cert_file() const { return cert_file_; }
  server::Server& server() { return *server_; }

 private:
  std::unique_ptr<server::Server> server_;
  std::string cert_file_;
};

}  // namespace sluice::http::testing
