#include <cstdlib>

#include "client/config.h"
#include "client/types.h"
#include "http/url.h"

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
  if (Throttling() || type == "InternalFailure" || type == "InternalFailureException" || type == "ServiceUnavailable" ||
      type == "ServiceUnavailableException")
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
  if (const char* v = Env("AWS_REGION"))
    c.region = v;
  else if (const char* d = Env("AWS_DEFAULT_REGION"))
    c.region = d;
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
  Result<http::Url> parsed = http::ParseUrl(url);
  if (!parsed.ok()) return Error{"ClientError", parsed.status().message(), 0};
  return EndpointAddress{parsed->tls, parsed->host, parsed->port, parsed->host_header};
}

}  // namespace sluice::client
