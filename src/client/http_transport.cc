// The real Transport: signed requests over a pool of keep-alive connections.
#include <chrono>
#include <mutex>
#include <vector>

#include "client/http_connection.h"
#include "client/transport.h"

namespace sluice::client {
namespace {

class HttpTransport final : public Transport {
 public:
  HttpTransport(ClientConfig config, EndpointAddress endpoint, std::shared_ptr<TlsContext> tls)
      : config_(std::move(config)), endpoint_(std::move(endpoint)), tls_(std::move(tls)) {}

  Outcome<HttpReply> Call(std::string_view operation, std::string_view body) override {
    const int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const std::string request = BuildKinesisRequest(config_, endpoint_, operation, body, now);
    std::unique_ptr<HttpConnection> conn = Take();
    bench::ResponseParser parser;
    for (int attempt = 0;; ++attempt) {
      const bool reused = conn->connected();
      parser.Reset();
      bool got_bytes = false;
      Outcome<Done> r = conn->RoundTrip(request, &parser, config_.timeout_ms, nullptr, &got_bytes);
      if (r.ok()) {
        HttpReply reply{parser.status(), std::string(parser.body())};
        Give(std::move(conn));
        return reply;
      }
      // A keep-alive connection the server closed while it was idle.
      if (reused && !got_bytes && attempt == 0 && r.error().type == "ConnectionError") continue;
      return r.error();
    }
  }

 private:
  std::unique_ptr<HttpConnection> Take() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    return std::make_unique<HttpConnection>(endpoint_, config_.timeout_ms, tls_);
  }
  void Give(std::unique_ptr<HttpConnection> conn) {
    if (!conn->connected()) return;
    std::lock_guard lock(mu_);
    if (idle_.size() < 64) idle_.push_back(std::move(conn));
  }

  const ClientConfig config_;
  const EndpointAddress endpoint_;
  std::shared_ptr<TlsContext> tls_;
  std::mutex mu_;
  std::vector<std::unique_ptr<HttpConnection>> idle_;
};

}  // namespace

Outcome<std::shared_ptr<TlsContext>> MakeTlsContextFor(const ClientConfig& config, const EndpointAddress& ep) {
  if (!ep.tls) return std::shared_ptr<TlsContext>();
  return TlsContext::Create(config);
}

Outcome<std::shared_ptr<Transport>> MakeHttpTransport(const ClientConfig& config) {
  Outcome<EndpointAddress> ep = ParseEndpointUrl(config.endpoint);
  if (!ep.ok()) return ep.error();
  Outcome<std::shared_ptr<TlsContext>> tls = MakeTlsContextFor(config, *ep);
  if (!tls.ok()) return tls.error();
  return std::shared_ptr<Transport>(std::make_shared<HttpTransport>(config, *ep, *tls));
}

}  // namespace sluice::client
