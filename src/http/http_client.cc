#include "http/http_client.h"

#include <mutex>
#include <vector>

#include "http/http1_connection.h"
#include "http/http2_connection.h"

namespace sluice::http {
namespace {

class PooledClient final : public HttpClient {
 public:
  PooledClient(ClientOptions options, Url url, std::shared_ptr<TlsContext> tls)
      : options_(std::move(options)), url_(std::move(url)), tls_(std::move(tls)) {}

  Result<Response> Send(const Request& request) override {
    ExchangeOptions exchange;
    exchange.idle_timeout_ms = options_.timeout_ms;
    return Stream(request, exchange);
  }

  Result<Response> Stream(const Request& request, const ExchangeOptions& options) override {
    std::unique_ptr<Connection> conn = Take();
    Response response;
    for (int attempt = 0;; ++attempt) {
      const bool reused = conn->connected();
      bool got_bytes = false;
      Status s = conn->Exchange(request, options, &response, &got_bytes);
      if (s.ok()) {
        Give(std::move(conn));
        return response;
      }
      if (reused && !got_bytes && attempt == 0 && s.code() == ErrorCode::kConnectionFailed) continue;
      return s;
    }
  }

  const Url& url() const override { return url_; }

 private:
  std::unique_ptr<Connection> Take() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return c;
      }
    }
    if (options_.protocol == Protocol::kHttp2) {
      return std::make_unique<Http2Connection>(url_, tls_, options_.timeout_ms);
    }
    return std::make_unique<Http1Connection>(url_, tls_, options_.timeout_ms);
  }

  void Give(std::unique_ptr<Connection> conn) {
    if (!conn->connected()) return;
    std::lock_guard lock(mu_);
    if (idle_.size() < options_.max_idle_connections) idle_.push_back(std::move(conn));
  }

  const ClientOptions options_;
  const Url url_;
  const std::shared_ptr<TlsContext> tls_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace

Result<std::shared_ptr<HttpClient>> MakeHttpClient(const ClientOptions& options) {
  SLUICE_ASSIGN_OR_RETURN(Url url, ParseUrl(options.url));
  std::shared_ptr<TlsContext> tls;
  if (url.tls) {
    const char* alpn = options.protocol == Protocol::kHttp2 ? "h2" : "http/1.1";
    SLUICE_ASSIGN_OR_RETURN(tls, TlsContext::Create(options.tls, alpn));
  }
  return std::shared_ptr<HttpClient>(std::make_shared<PooledClient>(options, std::move(url), std::move(tls)));
}

}  // namespace sluice::http
