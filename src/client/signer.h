// Signature Version 4 for requests the client sends, built on the same
// canonical-request and signing-key code the server verifies with
// (src/auth), so signer and verifier cannot drift apart.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "client/config.h"

namespace sluice::client {

struct SigningRequest {
  std::string_view method = "POST";
  std::string_view path = "/";
  std::string_view query;  // raw, after '?'
  // Every header here is signed; must include "host". Names in any case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
};

// The Authorization header value for `request` at `amz_date`
// ("20261124T223000Z"), which must also be the request's X-Amz-Date header
// (and the session token, if any, its X-Amz-Security-Token header).
std::string AuthorizationHeader(const Credentials& credentials, std::string_view region, std::string_view service,
                                std::string_view amz_date, const SigningRequest& request);

// "20261124T223000Z" for epoch seconds.
std::string AmzDate(int64_t epoch_seconds);

}  // namespace sluice::client
