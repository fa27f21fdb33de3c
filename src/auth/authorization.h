// Reading the signature parameters out of a request (Authorization header or
// presigned query string) into one shape, with the service's
// IncompleteSignature / MissingAuthenticationToken errors (as util's codes). Used by sigv4.cc;
// no secrets and no clock involved.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/sigv4.h"
#include "util/status.h"

namespace sluice::auth {

struct SignatureParams {
  bool presigned = false;  // from the query string
  std::string path;        // raw path of the request target
  std::string raw_query;   // raw text after '?', "" when none
  CredentialScope scope;
  std::string credential;  // as sent, for messages
  std::string signed_headers;
  std::string signature;
  std::string amz_date;                    // the request time as signed: "yyyymmddThhmmssZ"
  int64_t request_time = 0;                // epoch seconds of amz_date
  std::optional<int64_t> expires_seconds;  // presigned X-Amz-Expires
  std::string session_token;
};

// The signature parameters of `request`; the MissingAuthenticationToken,
// IncompleteSignature and InvalidSignature cases of sigv4.h up to
// ExtractCredentialScope.
Result<SignatureParams> ParseSignatureParams(const RequestView& request);

// Values of the first header named `lower_name` (lower-case), or nullopt.
std::optional<std::string_view> FindHeader(const RequestView& request, std::string_view lower_name);

}  // namespace sluice::auth
