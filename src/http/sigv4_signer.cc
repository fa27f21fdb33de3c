#include "http/sigv4_signer.h"

#include <algorithm>
#include <vector>

#include "auth/amz_date.h"
#include "auth/canonical_request.h"
#include "auth/signing.h"

namespace sluice::http {

std::string AuthorizationHeader(const AwsCredentials& credentials, std::string_view region, std::string_view service,
                                std::string_view amz_date, std::string_view method, std::string_view path,
                                std::string_view query, std::span<const std::pair<std::string, std::string>> headers,
                                std::string_view hashed_payload) {
  std::vector<auth::HeaderField> fields;
  std::vector<std::string> names;
  fields.reserve(headers.size());
  for (const auto& [name, value] : headers) {
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
  const std::string canonical_uri =
      service == "s3" ? std::string(path.empty() ? std::string_view("/") : path) : auth::CanonicalUri(path);
  const std::string canonical =
      auth::CanonicalRequest(method, canonical_uri, auth::CanonicalQueryString(query),
                             auth::CanonicalHeaders(fields, signed_headers), signed_headers, hashed_payload);
  const std::string_view date = amz_date.substr(0, 8);
  std::string scope(date);
  scope.append("/").append(region).append("/").append(service).append("/").append(auth::kScopeTerminator);
  const std::string signature = auth::Signature(auth::SigningKey(credentials.secret_access_key, date, region, service),
                                                auth::StringToSign(amz_date, scope, canonical));
  std::string out = auth::kAlgorithm;
  out.append(" Credential=").append(credentials.access_key_id).append("/").append(scope);
  out.append(", SignedHeaders=").append(signed_headers);
  out.append(", Signature=").append(signature);
  return out;
}

void SignRequest(const AwsCredentials& credentials, const SigningScope& scope, int64_t epoch_seconds,
                 std::string_view host_header, Request* request) {
  if (request->Header("host").empty()) request->headers.emplace_back("Host", std::string(host_header));
  const std::string amz_date = auth::FormatAmzDate(epoch_seconds);
  request->headers.emplace_back("X-Amz-Date", amz_date);
  if (!credentials.session_token.empty()) {
    request->headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  const std::string payload_hash = auth::Sha256Hex(request->body);
  if (scope.content_sha256_header) request->headers.emplace_back("x-amz-content-sha256", payload_hash);
  const std::string_view target = request->target;
  const size_t q = target.find('?');
  const std::string_view path = target.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  std::string authorization = AuthorizationHeader(credentials, scope.region, scope.service, amz_date, request->method,
                                                  path, query, request->headers, payload_hash);
  request->headers.emplace_back("Authorization", std::move(authorization));
}

}  // namespace sluice::http
