// Gateway: joins the HTTP server to the services it serves (service.h).
// For each request, in order:
//   1. pages registered by path (GET /metrics, /console...), GET /health,
//      CORS pre-flight OPTIONS, and the AWS 403 for any other non-POST;
//   2. the router picks the service (X-Amz-Target prefix, then path; else
//      the fallback service);
//   3. a peer signature (with a peer verifier: another node of the
//      cluster vouching for the call, auth/peer_signature.h) admits the
//      call as the account it names; else the Signature Version 4 check
//      (with a verifier), whose failure the chosen service writes in its own
//      shape; the caller's namespace (account, region) comes from the
//      verified identity or, without a verifier, from the claimed
//      credential scope;
//   4. the service answers; the gateway adds the AWS response headers
//      (x-amzn-RequestId, x-amz-id-2, x-amzn-ErrorType) and CORS headers,
//      counts the call by operation and outcome (RequestMetrics) and can log
//      one line per call.
// The gateway knows no service's protocol, no engine and no console.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "auth/peer_signature.h"
#include "auth/sigv4.h"
#include "gateway/request_metrics.h"
#include "gateway/router.h"
#include "gateway/service.h"
#include "metrics/exposition.h"
#include "server/http_types.h"

namespace sluice::gateway {

class Gateway {
 public:
  // Adds a service. With `fallback`, it also answers the requests no
  // service claims, except a JSON 1.0 one (which gets the JSON 1.0
  // protocol's UnknownOperationException): the service whose endpoint the
  // port stands for. Call before serving.
  void AddService(std::unique_ptr<Service> service, bool fallback = false);

  // A page answers GET requests for its path: the request's path (without
  // the query) equals `path`, or begins with it when `path` ends in '/'.
  // Pages are answered before any service and without the AWS headers.
  // Call before serving.
  using Page = std::function<server::HttpResponse(const server::HttpRequest&)>;
  void AddPage(std::string path, Page page) { pages_.emplace_back(std::move(path), std::move(page)); }

  // With a verifier (`--auth FILE`), every API call's Signature Version 4
  // is checked first; a failure is answered with the service's exception
  // (MissingAuthenticationToken, IncompleteSignature, InvalidSignature,
  // UnrecognizedClient), and a verified call runs in its credentials'
  // account and its credential scope's region. Without one, any credentials
  // are accepted, and a call runs in its credential scope's region and, when
  // its access key is 12 digits, in that account (else the defaults). Call
  // before serving.
  void SetVerifier(std::unique_ptr<auth::SigV4Verifier> verifier) { verifier_ = std::move(verifier); }

  // Cluster mode under `--auth`: a call whose peer signature verifies with
  // the cluster's key runs as the account and region it names (empty: the
  // service's defaults), without a SigV4 check. A call without one, or
  // whose one fails (logged, at most once a second), goes on to the SigV4
  // check as any client's does, so posing as a peer needs the key. Call
  // before serving.
  void SetPeerVerifier(std::unique_ptr<auth::PeerVerifier> verifier) { peer_verifier_ = std::move(verifier); }

  // With `on`, one info line per API request: operation, stream (the
  // resource the call names), HTTP status, error __type and latency. Call
  // before serving.
  void SetLogRequests(bool on) { log_requests_ = on; }

  // Readiness: /health answers 503 until SetReady(true).
  void SetReady(bool ready) { ready_ = ready; }

  // Adds the request counters (sluice_requests_total,
  // sluice_request_duration_seconds) to a /metrics page. Thread-safe.
  void AddMetrics(metrics::Exposition& out) const { requests_.AddTo(out); }

  // A server::Handler. Thread-safe.
  void Handle(const server::HttpRequest& request, server::Responder respond);

 private:
  // Who a call runs as: empty members take the service's defaults.
  struct Caller {
    std::string account;
    std::string region;
  };

  // Step 1: the answers that need no service, or nullopt.
  std::optional<server::HttpResponse> AnswerLocally(const server::HttpRequest& request) const;
  // Step 3: the caller, or the error a failed signature check gets (one of
  // the authentication codes, see auth/sigv4.h).
  Result<Caller> Authenticate(const server::HttpRequest& request) const;
  // The answer to a request no service takes.
  server::HttpResponse Unclaimed(const server::HttpRequest& request) const;
  // Counts and logs one finished call.
  void Record(int operation, std::string_view resource, int status, std::string_view error_type, int64_t started_ns);

  std::vector<std::unique_ptr<Service>> services_;
  Router router_;
  std::vector<std::pair<std::string, Page>> pages_;
  std::unique_ptr<auth::SigV4Verifier> verifier_;
  std::unique_ptr<auth::PeerVerifier> peer_verifier_;
  std::atomic<bool> ready_{false};
  RequestMetrics requests_;
  bool log_requests_ = false;
};

}  // namespace sluice::gateway
