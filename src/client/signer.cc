#include "client/signer.h"

#include <algorithm>

#include "auth/amz_date.h"
#include "auth/canonical_request.h"
#include "auth/signing.h"

namespace sluice::client {

std::string AuthorizationHeader(const Credentials& credentials, std::string_view region,
                                std::string_view service, std::string_view amz_date,
                                const SigningRequest& request) {
  std::vector<auth::HeaderField> fields;
  std::vector<std::string> names;
  fields.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) {
    fields.push_back({name, value});
    std::string lower = auth::ToLower(name);
    if (std::find(names.begin(), names.end(), lower) == names.end()) names.push_back(std::move(lower));
  }
  std::sort(names.begin(), names.end());
  std::string signed_headers;
  for (const std::string& n : names) {
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += n;
  }
  const std::string canonical = auth::CanonicalRequest(
      request.method, auth::CanonicalUri(request.path), auth::CanonicalQueryString(request.query),
      auth::CanonicalHeaders(fields, signed_headers), signed_headers, auth::Sha256Hex(request.body));
  const std::string_view date = amz_date.substr(0, 8);
  std::string scope(date);
  scope.append("/").append(region).append("/").append(service).append("/").append(auth::kScopeTerminator);
  const std::string signature =
      auth::Signature(auth::SigningKey(credentials.secret_access_key, date, region, service),
                      auth::StringToSign(amz_date, scope, canonical));
  std::string out = auth::kAlgorithm;
  out.append(" Credential=").append(credentials.access_key_id).append("/").append(scope);
  out.append(", SignedHeaders=").append(signed_headers);
  out.append(", Signature=").append(signature);
  return out;
}

std::string AmzDate(int64_t epoch_seconds) { return auth::FormatAmzDate(epoch_seconds); }

}  // namespace sluice::client
