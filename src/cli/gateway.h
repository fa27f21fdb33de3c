// Gateway: joins the HTTP server to the Kinesis API. Routes `POST` calls to
// the api::Dispatcher, answers `GET /health`, `GET /metrics`, the console
// (`GET /console...`, when set), CORS pre-flight `OPTIONS`, and the service's
// 403 for other methods; adds the AWS response headers (x-amzn-RequestId,
// x-amz-id-2, x-amzn-ErrorType) to API responses. Counts every API call by
// operation and outcome (RequestMetrics) and can log one line per call.
#pragma once

#include <atomic>

#include <functional>
#include <memory>

#include "api/dispatcher.h"
#include "auth/sigv4.h"
#include "cli/console.h"
#include "cli/request_metrics.h"
#include "metrics/exposition.h"
#include "server/http_types.h"

namespace sluice::cli {

class Gateway {
 public:
  explicit Gateway(api::Dispatcher& dispatcher) : dispatcher_(dispatcher) {}

  // With a verifier (`--auth FILE`), every API call's Signature Version 4
  // is checked first; a failure is answered with the service's exception
  // (MissingAuthenticationToken, IncompleteSignature, InvalidSignature,
  // UnrecognizedClient), and a verified call runs in its credentials'
  // account and its credential scope's region. Without one, any credentials
  // are accepted, and a call runs in its credential scope's region and, when
  // its access key is 12 digits, in that account (else the defaults). Call
  // before serving.
  void SetVerifier(std::unique_ptr<auth::SigV4Verifier> verifier) { verifier_ = std::move(verifier); }

  // GET /metrics: the gateway's request counters plus what `source` adds
  // (the engine's and the server's). Without a source only the requests.
  // Call before serving.
  void SetMetricsSource(std::function<void(metrics::Exposition&)> source) { metrics_source_ = std::move(source); }

  // Serves the web console (GET /console...). Call before serving.
  void SetConsole(const Console* console) { console_ = console; }

  // With `on`, one info line per API request: operation, stream, HTTP
  // status, error __type and latency. Call before serving.
  void SetLogRequests(bool on) { log_requests_ = on; }

  // Readiness: /health answers 503 until SetReady(true).
  void SetReady(bool ready) { ready_ = ready; }

  // A server::Handler. Thread-safe.
  void Handle(const server::HttpRequest& request, server::Responder respond);

  // The answer to a request the HTTP server refuses by itself
  // (server::ServerOptions::refusal), in the service's JSON error shape:
  // 503 ServiceUnavailable (memory budget), 408 RequestTimeoutException
  // (body deadline). Thread-safe.
  static server::HttpResponse Refusal(int status, std::string_view message);

 private:
  api::Dispatcher& dispatcher_;
  std::unique_ptr<auth::SigV4Verifier> verifier_;
  std::atomic<bool> ready_{false};
  RequestMetrics requests_;
  bool log_requests_ = false;
  const Console* console_ = nullptr;
  std::function<void(metrics::Exposition&)> metrics_source_;
};

}  // namespace sluice::cli
