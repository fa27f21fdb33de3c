// AWS Signature Version 4 verification of requests to the Kinesis API.
//
// Both places a client may put a signature are accepted:
//   the Authorization header
//     AWS4-HMAC-SHA256 Credential=AKID/20261124/us-east-1/kinesis/aws4_request,
//     SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=<64 hex>
//   with the request time in X-Amz-Date (or, failing that, Date); and
//   the query string (a presigned URL): X-Amz-Algorithm, X-Amz-Credential,
//     X-Amz-Date, X-Amz-SignedHeaders, X-Amz-Signature and optional X-Amz-Expires.
// The canonical request, string to sign and signing key are AWS's
// (canonical_request.h, signing.h). The payload hash is the
// x-amz-content-sha256 header when present (UNSIGNED-PAYLOAD included), else
// SHA-256 of the body. X-Amz-Security-Token is signed like any header or
// parameter and handed back unvalidated.
//
// Errors, in the order they are checked: a Status whose code names the
// exception (ErrorCode::kInvalidSignature for InvalidSignatureException; the
// wire name and HTTP status come from the service's error table), with the
// service's text as its message:
//   both forms present       InvalidSignatureException  "Found both 'X-Amz-Algorithm' as a query-string
//                                                         param and 'Authorization' as HTTP header."
//   neither form             MissingAuthenticationTokenException "Missing Authentication Token"
//   algorithm not AWS4-HMAC-SHA256  IncompleteSignatureException "Unsupported AWS 'algorithm': '<alg>'"
//   header lacks Credential / Signature / SignedHeaders / a date
//                            IncompleteSignatureException "Authorization header requires '<p>' parameter. ...
//                                                         Authorization=<header>"
//   query lacks a parameter  IncompleteSignatureException "AWS query-string parameters must include '<p>'. ...
//                                                         Re-examine the query-string parameters."
//   unparsable date          IncompleteSignatureException "Date must be in ISO-8601 'basic format'. Got ..."
//   credential not 5 parts   IncompleteSignatureException "Credential must have exactly 5 slash-delimited
//                                                         elements, e.g. keyid/date/region/service/term, got '<c>'"
//   scope terminator not aws4_request  InvalidSignatureException "Credential should be scoped with a valid
//                                                         terminator: 'aws4_request', not '<t>'."
//   ---- ExtractCredentialScope stops here ----
//   host not signed          IncompleteSignatureException "'Host' or ':authority' must be a 'SignedHeader' in
//                                                         the AWS Authorization."
//   time outside +-5 min     InvalidSignatureException  "Signature expired: <t> is now earlier than <now-5m>
//                            (<now> - 5 min.)" / "Signature not yet current: <t> is still later than
//                            <now+5m> (<now> + 5 min.)"
//   presigned and now > X-Amz-Date + X-Amz-Expires: "Signature expired: ..." with the expiry window
//   scope date != request date  InvalidSignatureException "Date in Credential scope does not match YYYYMMDD
//                            from ISO-8601 version of date from HTTP: '<scope>' != '<date>', from '<amz date>'."
//   unknown access key       UnrecognizedClientException "The security token included in the request is invalid."
//   signature mismatch       InvalidSignatureException  "The request signature we calculated does not match ..."
//
// Thread-safety: a SigV4Verifier is immutable after construction; Verify may
// be called from any number of threads.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "auth/canonical_request.h"
#include "auth/credentials_file.h"
#include "util/status.h"

namespace sluice::auth {

// A request as received. Views only: the caller keeps the bytes alive for the
// duration of the call.
struct RequestView {
  std::string_view method;  // "POST"
  std::string_view target;  // request target: path and optional "?query"
  std::span<const HeaderField> headers;
  std::string_view body;
};

// The credential scope a request claims, unverified.
struct CredentialScope {
  std::string access_key_id;
  std::string date;  // yyyymmdd
  std::string region;
  std::string service;

  bool operator==(const CredentialScope&) const = default;
};

// Who a verified request comes from.
struct Identity {
  std::string access_key_id;
  std::string account_id;     // the credential's, else the verifier's default
  std::string region;         // from the credential scope
  std::string service;        // from the credential scope
  std::string session_token;  // X-Amz-Security-Token as sent (not validated); may be empty

  bool operator==(const Identity&) const = default;
};

// Reads the credential scope of a request without checking its signature,
// its time or its access key: for the mode that accepts any credentials but
// still takes the region (and access key) from the scope. Errors: the
// MissingAuthenticationToken / IncompleteSignature / InvalidSignature (both
// forms) cases above.
Result<CredentialScope> ExtractCredentialScope(const RequestView& request);

class SigV4Verifier {
 public:
  // Requests may be signed this far (ms) either side of now.
  static constexpr int64_t kMaxClockSkewMs = 5 * 60 * 1000;
  // The longest X-Amz-Expires accepted, one week (s).
  static constexpr int64_t kMaxExpiresSeconds = 7 * 24 * 3600;

  // `default_account_id` is the account of credentials that name none.
  SigV4Verifier(CredentialMap credentials, std::string default_account_id);

  // Verifies `request` at wall-clock time `now_ms` (epoch milliseconds).
  Result<Identity> Verify(const RequestView& request, int64_t now_ms) const;

 private:
  CredentialMap credentials_;
  std::string default_account_id_;
};

}  // namespace sluice::auth
