// A server whose /stream requests are answered with a streamed body driven
// by a StreamProbe, for the streaming tests over HTTP/1.1 and HTTP/2.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "server/server.h"
#include "server/socket_client.h"
#include "server/stream_probe.h"

namespace sluice::server::testing {

// Requests to /stream are answered with a streamed body recorded by probe_;
// every other request gets "echo <target>".
class StreamServerFixture : public ::testing::Test {
 protected:
  void StartServer(ServerOptions options = {}) {
    options.port = 0;
    auto created = Server::Create(options, [this](const HttpRequest& request, Responder respond) {
      ++calls_;
      HttpResponse response;
      if (request.target == "/stream") {
        response.headers.emplace_back("Content-Type", "application/vnd.amazon.eventstream");
        response.body = "ignored";  // a streamed response has no fixed body
        response.streaming = probe_->MakeBody(threshold_);
      } else {
        response.body = "echo " + std::string(request.target);
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
  }

  // A round trip on another connection: the (single) loop has run whatever
  // was pending for the others.
  void LoopBarrier() {
    TestSocket other(server_->port());
    ASSERT_TRUE(other.Send("GET /barrier HTTP/1.1\r\n\r\n"));
    auto r = other.ReadResponse();
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->body, "echo /barrier");
  }

  std::unique_ptr<Server> server_;
  std::shared_ptr<StreamProbe> probe_ = StreamProbe::Create();
  size_t threshold_ = 256u << 10;
  std::atomic<int> calls_{0};
};

}  // namespace sluice::server::testing
