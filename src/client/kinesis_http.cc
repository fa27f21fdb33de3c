#include "client/kinesis_http.h"

#include "http/sigv4_signer.h"
#include "protocol/json_reader.h"

namespace sluice::client {

Outcome<std::shared_ptr<http::HttpClient>> MakeKinesisHttpClient(const ClientConfig& config, size_t max_idle) {
  http::ClientOptions options;
  options.url = config.endpoint;
  options.tls.ca_file = config.ca_file;
  options.tls.verify = config.verify_tls;
  options.timeout_ms = config.timeout_ms;
  options.max_idle_connections = max_idle;
  Result<std::shared_ptr<http::HttpClient>> made = http::MakeHttpClient(options);
  if (!made.ok()) return ErrorFromStatus(made.status());
  return std::move(made).value();
}

http::Request JsonApiRequest(const ClientConfig& config, std::string_view host_header, const JsonApi& api,
                             std::string_view operation, std::string_view body, int64_t now_seconds) {
  http::Request request;
  request.method = "POST";
  request.target = "/";
  request.headers = {{"Host", std::string(host_header)},
                     {"Content-Type", std::string(api.content_type)},
                     {"X-Amz-Target", std::string(api.target_prefix) + "." + std::string(operation)}};
  request.body = std::string(body);
  const http::AwsCredentials credentials{config.credentials.access_key_id, config.credentials.secret_access_key,
                                         config.credentials.session_token};
  http::SignRequest(credentials, {config.region, std::string(api.signing_name)}, now_seconds, host_header, &request);
  request.headers.emplace_back("User-Agent", "sluice-client/0.1");
  return request;
}

Error ErrorFromStatus(const Status& status) {
  const char* type = "ConnectionError";
  switch (status.code()) {
    case ErrorCode::kTimedOut: type = "TimeoutError"; break;
    case ErrorCode::kTlsFailed: type = "TlsError"; break;
    case ErrorCode::kBadResponse: type = "ProtocolError"; break;
    case ErrorCode::kCancelled: type = "Stopped"; break;
    case ErrorCode::kInvalidArgument: type = "ClientError"; break;
    default: break;
  }
  return Error{type, status.message(), 0};
}

Error EventStreamExceptionError(const protocol::EventStreamMessage& m) {
  Error e;
  const protocol::EventStreamHeaderValue* t = m.Find(":exception-type");
  if (t == nullptr) t = m.Find(":error-code");
  e.type = t != nullptr ? t->bytes : "InternalFailure";
  e.http_status = 200;
  Result<protocol::JsonObject> doc = protocol::ParseJsonRequest(m.payload);
  if (doc.ok()) {
    std::optional<std::string_view> msg;
    if (doc->GetString("message", &msg).ok() && msg) e.message = std::string(*msg);
  }
  if (e.message.empty()) e.message = m.payload.substr(0, 300);
  return e;
}

}  // namespace sluice::client
