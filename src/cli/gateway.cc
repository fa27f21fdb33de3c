#include "cli/gateway.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <vector>
#include <random>
#include <string>

#include "protocol/cbor_transcode.h"
#include "protocol/errors.h"
#include "protocol/json_writer.h"
#include "util/base64.h"
#include "util/clock.h"
#include "util/log.h"

namespace sluice::cli {
namespace {

uint64_t NextRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

// A random (version 4) UUID, as the service puts in x-amzn-RequestId.
std::string RequestId() {
  uint64_t hi = NextRandom(), lo = NextRandom();
  hi = (hi & 0xffffffffffff0fffull) | 0x0000000000004000ull;
  lo = (lo & 0x3fffffffffffffffull) | 0x8000000000000000ull;
  char buf[37];
  static const char* kHex = "0123456789abcdef";
  int pos = 0;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) buf[pos++] = '-';
    uint64_t word = i < 16 ? hi : lo;
    int shift = 60 - 4 * (i % 16);
    buf[pos++] = kHex[(word >> shift) & 0xf];
  }
  buf[pos] = '\0';
  return std::string(buf, 36);
}

// x-amz-id-2: base64 of 72 random bytes, as the service (and kinesalite) send.
std::string AmzId2() {
  char raw[72];
  for (int i = 0; i < 72; i += 8) {
    uint64_t r = NextRandom();
    for (int k = 0; k < 8; ++k) raw[i + k] = static_cast<char>(r >> (8 * k));
  }
  return base64::Encode(std::string_view(raw, sizeof raw));
}

void AddAwsHeaders(server::HttpResponse& r) {
  r.headers.emplace_back("x-amzn-RequestId", RequestId());
  r.headers.emplace_back("x-amz-id-2", AmzId2());
}

bool IsCorsRequest(const server::HttpRequest& req) { return !req.Header("origin").empty(); }

void AddCorsHeaders(server::HttpResponse& r) {
  r.headers.emplace_back("Access-Control-Allow-Origin", "*");
  r.headers.emplace_back("Access-Control-Expose-Headers",
                         "x-amzn-RequestId,x-amzn-ErrorType,x-amz-request-id,x-amz-id-2,"
                         "x-amzn-ErrorMessage,Date");
}

server::HttpResponse AccessDenied() {
  server::HttpResponse r;
  r.status = 403;
  r.headers.emplace_back("Content-Type", "application/xml");
  r.body =
      "<AccessDeniedException>\n"
      "  <Message>Unable to determine service/operation name to be authorized</Message>\n"
      "</AccessDeniedException>\n";
  return r;
}

}  // namespace

namespace {

// The server's body writer as the API layer's stream output.
class BodyOutput final : public api::StreamOutput {
 public:
  explicit BodyOutput(std::shared_ptr<server::BodyWriter> writer) : writer_(std::move(writer)) {}
  bool Write(std::string bytes) override { return writer_->Write(std::move(bytes)); }
  void Finish() override { writer_->Finish(); }
  size_t Buffered() const override { return writer_->BufferedBytes(); }

 private:
  std::shared_ptr<server::BodyWriter> writer_;
};

std::shared_ptr<server::StreamingBody> StreamingBodyFor(std::shared_ptr<api::ApiStream> stream) {
  auto body = std::make_shared<server::StreamingBody>();
  body->drain_threshold = stream->drain_threshold;
  body->on_start = [stream](std::shared_ptr<server::BodyWriter> writer) {
    if (stream->start) stream->start(std::make_shared<BodyOutput>(std::move(writer)));
  };
  body->on_drain = [stream] {
    if (stream->on_drain) stream->on_drain();
  };
  body->on_close = [stream] {
    if (stream->on_close) stream->on_close();
  };
  return body;
}

bool IsAccountId(std::string_view s) {
  return s.size() == 12 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// An exception in the service's shape: {"__type", "message"} in JSON (or
// CBOR), the AWS headers and x-amzn-ErrorType.
server::HttpResponse ExceptionResponse(int status, std::string_view type, std::string_view message, bool cbor) {
  server::HttpResponse r;
  r.status = status;
  AddAwsHeaders(r);
  std::string body;
  protocol::JsonWriter w(&body);
  w.BeginObject();
  w.Member("__type", type);
  w.Member("message", message);
  w.EndObject();
  if (cbor) {
    Result<std::string> encoded = protocol::JsonResponseToCbor(body);
    if (encoded.ok()) body = std::move(encoded).value();
  }
  r.headers.emplace_back("Content-Type", cbor ? "application/x-amz-cbor-1.1" : "application/x-amz-json-1.1");
  r.headers.emplace_back("x-amzn-ErrorType", std::string(type));
  r.body = std::move(body);
  return r;
}

// The answer to a request whose signature does not verify: the exception
// in the request's codec (JSON unless it asked for CBOR), 400.
server::HttpResponse AuthFailure(const auth::AuthError& error, std::string_view content_type, bool cors) {
  const bool cbor = content_type.rfind("application/x-amz-cbor-1.1", 0) == 0;
  server::HttpResponse r = ExceptionResponse(error.http_status, error.type, error.message, cbor);
  if (cors) AddCorsHeaders(r);
  return r;
}

}  // namespace

server::HttpResponse Gateway::Refusal(int status, std::string_view message) {
  std::string_view type = status == 503 ? protocol::ErrorTypeName(ErrorCode::kServiceUnavailable)
                          : status == 408 ? "RequestTimeoutException"
                                          : protocol::ErrorTypeName(ErrorCode::kInternalFailure);
  return ExceptionResponse(status, type, message, /*cbor=*/false);
}

void Gateway::Handle(const server::HttpRequest& req, server::Responder respond) {
  const int64_t started_ns = MonotonicNanos();
  if (console_) {
    server::HttpResponse r;
    if (console_->Handle(req, &r)) {
      respond(std::move(r));
      return;
    }
  }
  if (req.method == "GET" && (req.target == "/metrics" || req.target.rfind("/metrics?", 0) == 0)) {
    metrics::Exposition out;
    if (metrics_source_) metrics_source_(out);
    requests_.AddTo(out);
    server::HttpResponse r;
    r.headers.emplace_back("Content-Type", std::string(metrics::kContentType));
    r.body = out.Render();
    respond(std::move(r));
    return;
  }
  if (req.method == "GET" && (req.target == "/health" || req.target.rfind("/health?", 0) == 0)) {
    server::HttpResponse r;
    r.status = ready_ ? 200 : 503;
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = ready_ ? "{\"status\":\"ok\"}" : "{\"status\":\"starting\"}";
    respond(std::move(r));
    return;
  }
  if (req.method == "OPTIONS" && IsCorsRequest(req)) {
    server::HttpResponse r;
    AddAwsHeaders(r);
    AddCorsHeaders(r);
    std::string_view allow_headers = req.Header("access-control-request-headers");
    if (!allow_headers.empty()) r.headers.emplace_back("Access-Control-Allow-Headers", std::string(allow_headers));
    std::string_view allow_method = req.Header("access-control-request-method");
    if (!allow_method.empty()) r.headers.emplace_back("Access-Control-Allow-Methods", std::string(allow_method));
    r.headers.emplace_back("Access-Control-Max-Age", "172800");
    respond(std::move(r));
    return;
  }
  if (req.method != "POST") {
    server::HttpResponse r = AccessDenied();
    AddAwsHeaders(r);
    respond(std::move(r));
    return;
  }

  std::optional<auth::Identity> identity;
  if (verifier_) {
    std::vector<auth::HeaderField> headers;
    headers.reserve(req.headers.size());
    for (const auto& h : req.headers) headers.push_back({h.name, h.value});
    auth::AuthResult<auth::Identity> verified =
        verifier_->Verify(auth::RequestView{req.method, req.target, headers, req.body}, SystemClock::Instance().NowMillis());
    if (!verified.ok()) {
      server::HttpResponse r = AuthFailure(verified.error(), req.Header("content-type"), IsCorsRequest(req));
      const int operation = requests_.OperationIndex(req.Header("x-amz-target"));
      const int64_t micros = (MonotonicNanos() - started_ns) / 1000;
      requests_.Record(operation, r.status, verified.error().type, micros);
      if (log_requests_) {
        log::Event(log::Level::kInfo, "request",
                   {{"operation", requests_.OperationName(operation)},
                    {"stream", ""},
                    {"status", r.status},
                    {"error", verified.error().type},
                    {"latency_ms", static_cast<double>(micros) / 1000.0}});
      }
      respond(std::move(r));
      return;
    }
    identity = std::move(verified).value();
  }

  api::ApiRequest call;
  std::optional<auth::CredentialScope> scope;
  if (identity) {
    call.account = identity->account_id;
    call.region = identity->region;
  } else if (!verifier_) {
    // Any credentials are accepted, but the caller still picks its
    // namespace: the credential scope's region, and the access key as the
    // account when it is 12 digits (else the configured account).
    std::array<auth::HeaderField, 64> fields;
    const size_t n = std::min(req.headers.size(), fields.size());
    for (size_t i = 0; i < n; ++i) fields[i] = {req.headers[i].name, req.headers[i].value};
    auth::AuthResult<auth::CredentialScope> read = auth::ExtractCredentialScope(
        auth::RequestView{req.method, req.target, std::span<const auth::HeaderField>(fields.data(), n), {}});
    if (read.ok()) {
      scope = std::move(read).value();
      call.region = scope->region;
      if (IsAccountId(scope->access_key_id)) call.account = scope->access_key_id;
    }
  }
  call.target = req.Header("x-amz-target");
  call.content_type = req.Header("content-type");
  call.authorization = req.Header("authorization");
  call.body = req.body;
  bool cors = IsCorsRequest(req);
  const int operation = requests_.OperationIndex(call.target);
  std::shared_ptr<std::string> stream;
  if (log_requests_) {
    stream = std::make_shared<std::string>();
    call.stream_name = stream.get();
  }
  dispatcher_.Handle(call, [this, respond = std::move(respond), cors, operation, started_ns,
                            stream = std::move(stream)](api::ApiResponse out) {
    const int64_t micros = (MonotonicNanos() - started_ns) / 1000;
    // A dropped connection answered nothing: status 0, not the status its
    // (lost or never made) answer had.
    const int status = out.drop_connection ? 0 : out.status;
    requests_.Record(operation, status, out.error_type, micros);
    if (stream) {
      log::Event(log::Level::kInfo, "request",
                 {{"operation", requests_.OperationName(operation)},
                  {"stream", *stream},
                  {"status", status},
                  {"error", out.error_type},
                  {"latency_ms", static_cast<double>(micros) / 1000.0}});
    }
    server::HttpResponse r;
    if (out.drop_connection) {
      r.abort_connection = true;
      respond(std::move(r));
      return;
    }
    r.status = out.status;
    r.headers.reserve(5);
    AddAwsHeaders(r);
    if (!out.content_type.empty()) r.headers.emplace_back("Content-Type", std::move(out.content_type));
    if (!out.error_type.empty()) r.headers.emplace_back("x-amzn-ErrorType", std::move(out.error_type));
    if (cors) AddCorsHeaders(r);
    if (out.stream) {
      r.streaming = StreamingBodyFor(std::move(out.stream));
    } else {
      r.body = std::move(out.body);
    }
    respond(std::move(r));
  });
}

}  // namespace sluice::cli
