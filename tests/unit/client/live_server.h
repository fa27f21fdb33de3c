// A real Sluice server inside the test process: an in-memory engine, the
// gateway with the Kinesis service, and the HTTP server on a free loopback port.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

#include "tls_test_util.h"
#include "api/kinesis_service.h"
#include "client/client.h"
#include "engine/engine.h"
#include "gateway/gateway.h"
#include "server/server.h"
#include "server/tls_certificate.h"

namespace sluice::client {

class LiveServer {
 public:
  struct Options {
    int64_t subscription_lifetime_ms = 5 * 60 * 1000;
    int64_t subscription_heartbeat_ms = 5000;
    bool tls = false;
  };

  explicit LiveServer(Options options) {
    engine::EngineOptions eopts;
    eopts.durability = storage::Durability::kMemory;
    eopts.log.durability = storage::Durability::kMemory;
    eopts.subscription_lifetime_ms = options.subscription_lifetime_ms;
    eopts.subscription_heartbeat_ms = options.subscription_heartbeat_ms;
    auto e = engine::Engine::Open(eopts);
    if (!e.ok()) {
      ADD_FAILURE() << e.status().ToString();
      return;
    }
    engine_ = std::move(e).value();
    engine_->Start();
    gateway_ = std::make_unique<gateway::Gateway>();
    gateway_->AddService(std::make_unique<api::KinesisService>(*engine_, api::ApiOptions{}), /*fallback=*/true);
    server::ServerOptions sopts;
    sopts.port = 0;
    sopts.threads = 2;
    if (options.tls && !sluice::testing::EnableSelfSignedTls(sopts, &cert_file_)) return;
    auto s = server::Server::Create(sopts, [this](const server::HttpRequest& req, server::Responder respond) {
      gateway_->Handle(req, std::move(respond));
    });
    if (!s.ok()) {
      ADD_FAILURE() << s.status().ToString();
      return;
    }
    server_ = std::move(s).value();
    server_->Start();
    gateway_->SetReady(true);
  }
  LiveServer() : LiveServer(Options{}) {}

  ~LiveServer() {
    if (server_) server_->Shutdown(1000);
    if (engine_) engine_->Stop();
    if (!cert_file_.empty()) std::remove(cert_file_.c_str());
  }

  ClientConfig Config() const {
    ClientConfig c;
    c.endpoint = std::string(cert_file_.empty() ? "http" : "https") +
                 "://127.0.0.1:" + std::to_string(server_ ? server_->port() : 0);
    c.timeout_ms = 10000;
    c.ca_file = cert_file_;
    return c;
  }
  std::shared_ptr<Client> NewClient() const {
    auto c = Client::Connect(Config());
    EXPECT_TRUE(c.ok()) << c.error().ToString();
    return c.ok() ? c.value() : nullptr;
  }
  const std::string& cert_file() const { return cert_file_; }

 private:
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<gateway::Gateway> gateway_;
  std::unique_ptr<server::Server> server_;
  std::string cert_file_;
};

}  // namespace sluice::client
