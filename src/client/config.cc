#include <cstdlib>

#include "client/config.h"
#include "client/types.h"

namespace sluice::client {
namespace {

const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

}  // namespace

std::string Error::ToString() const { return message.empty() ? type : type + ": " + message; }

bool Error::Throttling() const {
  return type == "ProvisionedThroughputExceededException" || type == "LimitExceededException" ||
         type == "ThrottlingException" || type == "KMSThrottlingException";
}

bool Error::Retryable() const {
  if (Throttling() || type == "InternalFailure" || type == "InternalFailureException" ||
      type == "ServiceUnavailable" || type == "ServiceUnavailableException")
    return true;
  if (http_status >= 500) return true;
  return http_status == 0 && type != "ClientError" && type != "Stopped";
}

const char* StartingPosition::TypeName() const {
  switch (type) {
    case StartType::kLatest: return "LATEST";
    case StartType::kTrimHorizon: return "TRIM_HORIZON";
    case StartType::kAtTimestamp: return "AT_TIMESTAMP";
    case StartType::kAtSequenceNumber: return "AT_SEQUENCE_NUMBER";
    case StartType::kAfterSequenceNumber: return "AFTER_SEQUENCE_NUMBER";
  }
  return "LATEST";
}

ClientConfig ClientConfig::FromEnvironment() {
  ClientConfig c;
  for (const char* name : {"SLUICE_ENDPOINT", "AWS_ENDPOINT_URL_KINESIS", "AWS_ENDPOINT_URL"}) {
    if (const char* v = Env(name)) {
      c.endpoint = v;
      break;
    }
  }
  if (const char* v = Env("AWS_REGION")) c.region = v;
  else if (const char* d = Env("AWS_DEFAULT_REGION")) c.region = d;
  const char* key = Env("AWS_ACCESS_KEY_ID");
  const char* secret = Env("AWS_SECRET_ACCESS_KEY");
  if (key != nullptr && secret != nullptr) {
    c.credentials.access_key_id = key;
    c.credentials.secret_access_key = secret;
    if (const char* token = Env("AWS_SESSION_TOKEN")) c.credentials.session_token = token;
  }
  if (const char* v = Env("AWS_CA_BUNDLE")) c.ca_file = v;
  return c;
}

Outcome<EndpointAddress> ParseEndpointUrl(const std::string& url) {
  EndpointAddress out;
  std::string_view rest = url;
  if (rest.substr(0, 7) == "http://") {
    rest.remove_prefix(7);
  } else if (rest.substr(0, 8) == "https://") {
    rest.remove_prefix(8);
    out.tls = true;
  } else {
    return Error{"ClientError", "the endpoint must start with http:// or https://: " + url, 0};
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos || rest.find('?') != std::string_view::npos) {
    return Error{"ClientError", "the endpoint must not have a path: " + url, 0};
  }
  std::string_view host = rest;
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return Error{"ClientError", "bad endpoint: " + url, 0};
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return Error{"ClientError", "bad endpoint: " + url, 0};
      port_text = rest.substr(close + 2);
    }
  } else if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  }
  if (host.empty()) return Error{"ClientError", "the endpoint has no host: " + url, 0};
  int port = out.tls ? 443 : 80;
  const bool explicit_port = !port_text.empty();
  if (explicit_port) {
    port = 0;
    for (char ch : port_text) {
      if (ch < '0' || ch > '9' || port > 65535) return Error{"ClientError", "bad port in endpoint: " + url, 0};
      port = port * 10 + (ch - '0');
    }
    if (port <= 0 || port > 65535) return Error{"ClientError", "bad port in endpoint: " + url, 0};
  }
  out.host = std::string(host);
  out.port = static_cast<uint16_t>(port);
  const bool v6 = out.host.find(':') != std::string::npos;
  out.host_header = v6 ? "[" + out.host + "]" : out.host;
  if (port != (out.tls ? 443 : 80)) out.host_header += ":" + std::to_string(port);
  return out;
}

}  // namespace sluice::client
