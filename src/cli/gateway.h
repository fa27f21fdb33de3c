// Gateway: joins the HTTP server to the Kinesis API. Routes `POST` calls to
// the api::Dispatcher, answers `GET /health`, CORS pre-flight `OPTIONS`, and
// the service's 403 for other methods; adds the AWS response headers
// (x-amzn-RequestId, x-amz-id-2, x-amzn-ErrorType) to every response.
#pragma once

#include <atomic>

#include "api/dispatcher.h"
#include "server/http_types.h"

namespace sluice::cli {

class Gateway {
 public:
  explicit Gateway(api::Dispatcher& dispatcher) : dispatcher_(dispatcher) {}

  // Readiness: /health answers 503 until SetReady(true).
  void SetReady(bool ready) { ready_ = ready; }

  // A server::Handler. Thread-safe.
  void Handle(const server::HttpRequest& request, server::Responder respond);

 private:
  api::Dispatcher& dispatcher_;
  std::atomic<bool> ready_{false};
};

}  // namespace sluice::cli
