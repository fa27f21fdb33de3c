// The real Transport: signed requests through the outbound HTTP client's
// pool of keep-alive connections.
#include <chrono>

#include "client/kinesis_http.h"
#include "client/transport.h"

namespace sluice::client {
namespace {

class HttpTransport final : public Transport {
 public:
  HttpTransport(ClientConfig config, std::shared_ptr<http::HttpClient> http)
      : config_(std::move(config)), http_(std::move(http)) {}

  Outcome<HttpReply> CallApi(const JsonApi& api, std::string_view operation, std::string_view body) override {
    const int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    Result<http::Response> r =
        http_->Send(JsonApiRequest(config_, http_->url().host_header, api, operation, body, now));
    if (!r.ok()) return ErrorFromStatus(r.status());
    return HttpReply{r->status, std::move(r->body)};
  }

 private:
  const ClientConfig config_;
  const std::shared_ptr<http::HttpClient> http_;
};

}  // namespace

Outcome<std::shared_ptr<Transport>> MakeHttpTransport(const ClientConfig& config) {
  Outcome<std::shared_ptr<http::HttpClient>> http = MakeKinesisHttpClient(config, 64);
  if (!http.ok()) return http.error();
  return std::shared_ptr<Transport>(std::make_shared<HttpTransport>(config, *http));
}

}  // namespace sluice::client
