// A real gateway on a real HTTP server (one event loop, a free loopback
// port) for the peer protocol's tests: add services to gateway(), then
// Start(). Shut down when it goes.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "gateway/gateway.h"
#include "server/server.h"

namespace sluice::cluster::testing {

class GatewayServer {
 public:
  ~GatewayServer() { Stop(); }

  gateway::Gateway& gateway() { return gateway_; }

  void Start() {
    server::ServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 1;
    auto server =
        server::Server::Create(options, [this](const server::HttpRequest& request, server::Responder respond) {
          gateway_.Handle(request, std::move(respond));
        });
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    server_->Start();
    address_ = "127.0.0.1:" + std::to_string(server_->port());
  }

  // Closes the port (a node gone). Idempotent.
  void Stop() {
    if (server_) server_->Shutdown(1000);
    server_.reset();
  }

  // "127.0.0.1:<port>"
  const std::string& address() const { return address_; }

 private:
  gateway::Gateway gateway_;
  std::unique_ptr<server::Server> server_;
  std::string address_;
};

}  // namespace sluice::cluster::testing
