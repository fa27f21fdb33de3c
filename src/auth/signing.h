// The cryptographic half of SigV4 (OpenSSL's SHA-256 and HMAC-SHA256):
//
//   string to sign = "AWS4-HMAC-SHA256\n" <amz date> "\n" <scope> "\n" hex(SHA256(canonical request))
//   scope          = <yyyymmdd>/<region>/<service>/aws4_request
//   signing key    = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyymmdd), region), service), "aws4_request")
//   signature      = hex(HMAC(signing key, string to sign))
#pragma once

#include <string>
#include <string_view>

namespace sluice::auth {

inline constexpr char kAlgorithm[] = "AWS4-HMAC-SHA256";
inline constexpr char kScopeTerminator[] = "aws4_request";
inline constexpr char kUnsignedPayload[] = "UNSIGNED-PAYLOAD";

// Lower-case hex of SHA-256(data).
std::string Sha256Hex(std::string_view data);

// The 32 raw bytes of HMAC-SHA256(key, data).
std::string HmacSha256(std::string_view key, std::string_view data);

std::string SigningKey(std::string_view secret, std::string_view date, std::string_view region,
                       std::string_view service);

std::string StringToSign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request);

// Lower-case hex of HMAC-SHA256(signing_key, string_to_sign).
std::string Signature(std::string_view signing_key, std::string_view string_to_sign);

// Constant-time equality (CRYPTO_memcmp); the length is not secret.
bool SignaturesEqual(std::string_view a, std::string_view b);

}  // namespace sluice::auth
