// AWS Signature Version 4 for outbound requests to any service (kinesis,
// s3, ...), built on the canonical-request and signing-key code the server
// verifies with (src/auth), so signer and verifier cannot drift apart.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "http/message.h"

namespace sluice::http {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" when none
};

struct SigningScope {
  std::string region;   // "us-east-1"
  std::string service;  // "kinesis", "s3"
  // Send the payload's SHA-256 as x-amz-content-sha256 (S3 requires it).
  bool content_sha256_header = false;
};

// Signs `request` at `epoch_seconds`: adds Host (`host_header`, unless the
// request has one), X-Amz-Date, X-Amz-Security-Token (with a session token),
// x-amz-content-sha256 (when the scope asks), then Authorization, signing
// every header the request has.
void SignRequest(const AwsCredentials& credentials, const SigningScope& scope, int64_t epoch_seconds,
                 std::string_view host_header, Request* request);

// The Authorization header value for a request at `amz_date`
// ("20261124T223000Z", which must also be its X-Amz-Date header): every
// header in `headers` is signed and must include "host". `path` is the
// encoded path without the query; S3 signs it as it is, every other service
// as auth::CanonicalUri normalises and encodes it once more.
std::string AuthorizationHeader(const AwsCredentials& credentials, std::string_view region, std::string_view service,
                                std::string_view amz_date, std::string_view method, std::string_view path,
                                std::string_view query, std::span<const std::pair<std::string, std::string>> headers,
                                std::string_view hashed_payload);

}  // namespace sluice::http
