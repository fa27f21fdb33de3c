#include "gateway/gateway.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "gateway/aws_responses.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/rate_limiter.h"

namespace sluice::gateway {
namespace {

bool IsAccountId(std::string_view s) {
  return s.size() == 12 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool PathMatches(std::string_view path, std::string_view page) {
  return path == page || (page.ends_with('/') && path.starts_with(page));
}

bool IsGetOf(const server::HttpRequest& req, std::string_view path) {
  return req.method == "GET" &&
         (req.target == path || (req.target.starts_with(path) && req.target[path.size()] == '?'));
}

// A service's answer as the HTTP response: the AWS headers, the content
// type, x-amzn-ErrorType on errors, CORS for a browser's call.
server::HttpResponse ToHttp(ServiceResponse out, bool cors) {
  server::HttpResponse r;
  if (out.drop_connection) {
    r.abort_connection = true;
    return r;
  }
  r.status = out.status;
  r.headers.reserve(5);
  AddAwsHeaders(r);
  if (!out.content_type.empty()) r.headers.emplace_back("Content-Type", std::move(out.content_type));
  if (!out.error_type.empty()) r.headers.emplace_back("x-amzn-ErrorType", std::move(out.error_type));
  for (auto& header : out.headers) r.headers.push_back(std::move(header));
  if (cors) AddCorsHeaders(r);
  if (out.streaming) {
    r.streaming = std::move(out.streaming);
  } else {
    r.body = std::move(out.body);
  }
  return r;
}

std::string_view ErrorTypeOf(const server::HttpResponse& r) {
  for (const auto& [name, value] : r.headers) {
    if (name == "x-amzn-ErrorType") return value;
  }
  return {};
}

}  // namespace

void Gateway::AddService(std::unique_ptr<Service> service, bool fallback) {
  // The router's and the counters' numbering of services stay equal.
  router_.Add(service.get(), fallback);
  requests_.AddService(service->operations());
  services_.push_back(std::move(service));
}

void Gateway::Handle(const server::HttpRequest& req, server::Responder respond) {
  const int64_t started_ns = MonotonicNanos();
  if (std::optional<server::HttpResponse> local = AnswerLocally(req)) {
    respond(std::move(*local));
    return;
  }
  const Route route = router_.Find(req);
  const int operation = requests_.OperationIndex(route.index, route.operation);
  const bool cors = IsCorsRequest(req);
  Result<Caller> caller = Authenticate(req);
  if (!caller.ok()) {
    server::HttpResponse r = route.service ? ToHttp(route.service->Error(req, caller.status()), cors) : AccessDenied();
    Record(operation, "", r.status, ErrorTypeOf(r), started_ns);
    respond(std::move(r));
    return;
  }
  if (!route.matched && (route.service == nullptr || req.Header("content-type").starts_with(kAmzJson10))) {
    server::HttpResponse r = Unclaimed(req);
    Record(operation, "", r.status, ErrorTypeOf(r), started_ns);
    respond(std::move(r));
    return;
  }

  ServiceRequest call{req, route.operation, caller->account, caller->region};
  std::shared_ptr<std::string> resource;
  if (log_requests_) {
    resource = std::make_shared<std::string>();
    call.resource = resource.get();
  }
  route.service->Handle(call, [this, respond = std::move(respond), cors, operation, started_ns,
                               resource = std::move(resource)](ServiceResponse out) {
    // A dropped connection answered nothing: status 0, not the status its
    // (lost or never made) answer had.
    Record(operation, resource ? std::string_view(*resource) : "", out.drop_connection ? 0 : out.status, out.error_type,
           started_ns);
    respond(ToHttp(std::move(out), cors));
  });
}

std::optional<server::HttpResponse> Gateway::AnswerLocally(const server::HttpRequest& req) const {
  if (req.method == "GET") {
    const std::string_view path = req.target.substr(0, req.target.find('?'));
    for (const auto& [page_path, page] : pages_) {
      if (PathMatches(path, page_path)) return page(req);
      // A browser opening the root is sent to the console where it is served (no page there
      // under --auth: then the root keeps the service's 403, as for any other GET).
      if (path == "/" && page_path == "/console/") {
        server::HttpResponse r;
        r.status = 302;
        r.headers.emplace_back("Location", "/console/");
        return r;
      }
    }
  }
  if (IsGetOf(req, "/health")) {
    server::HttpResponse r;
    r.status = ready_ ? 200 : 503;
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = ready_ ? "{\"status\":\"ok\"}" : "{\"status\":\"starting\"}";
    return r;
  }
  if (req.method == "OPTIONS" && IsCorsRequest(req)) return CorsPreflight(req);
  if (req.method != "POST") {
    server::HttpResponse r = AccessDenied();
    AddAwsHeaders(r);
    return r;
  }
  return std::nullopt;
}

Result<Gateway::Caller> Gateway::Authenticate(const server::HttpRequest& req) const {
  const bool peer_signed = peer_verifier_ && !req.Header(auth::kPeerSignatureHeader).empty();
  if (peer_signed || verifier_) {
    std::vector<auth::HeaderField> headers;
    headers.reserve(req.headers.size());
    for (const auto& h : req.headers) headers.push_back({h.name, h.value});
    const auth::RequestView view{req.method, req.target, headers, req.body};
    const int64_t now_ms = SystemClock::Instance().NowMillis();
    if (peer_signed) {
      Result<auth::PeerCall> peer = peer_verifier_->Verify(view, now_ms);
      if (peer.ok()) return Caller{std::move(peer->account), std::move(peer->region)};
      static RateLimiter log_limit;
      if (uint64_t suppressed; log_limit.Allow(&suppressed)) {
        log::Warn("a call to {} is not a peer's, its SigV4 is checked instead: {} ({} more since the last such line)",
                  req.target, peer.status().message(), suppressed);
      }
    }
    if (verifier_) {
      Result<auth::Identity> verified = verifier_->Verify(view, now_ms);
      if (!verified.ok()) return verified.status();
      return Caller{verified->account_id, verified->region};
    }
  }
  // Any credentials are accepted, but the caller still picks its namespace:
  // the credential scope's region, and the access key as the account when
  // it is 12 digits (else the configured account).
  std::array<auth::HeaderField, 64> fields;
  const size_t n = std::min(req.headers.size(), fields.size());
  for (size_t i = 0; i < n; ++i) fields[i] = {req.headers[i].name, req.headers[i].value};
  Result<auth::CredentialScope> scope = auth::ExtractCredentialScope(
      auth::RequestView{req.method, req.target, std::span<const auth::HeaderField>(fields.data(), n), {}});
  Caller caller;
  if (scope.ok()) {
    caller.region = scope->region;
    if (IsAccountId(scope->access_key_id)) caller.account = scope->access_key_id;
  }
  return caller;
}

server::HttpResponse Gateway::Unclaimed(const server::HttpRequest& req) const {
  server::HttpResponse r = UnknownOperationJson10();
  AddAwsHeaders(r);
  if (IsCorsRequest(req)) AddCorsHeaders(r);
  return r;
}

void Gateway::Record(int operation, std::string_view resource, int status, std::string_view error_type,
                     int64_t started_ns) {
  const int64_t micros = (MonotonicNanos() - started_ns) / 1000;
  requests_.Record(operation, status, error_type, micros);
  if (!log_requests_) return;
  log::Event(log::Level::kInfo, "request",
             {{"operation", requests_.OperationName(operation)},
              {"stream", resource},
              {"status", status},
              {"error", error_type},
              {"latency_ms", static_cast<double>(micros) / 1000.0}});
}

}  // namespace sluice::gateway
