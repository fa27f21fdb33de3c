#include "auth/sigv4.h"

#include <utility>

#include "auth/amz_date.h"
#include "auth/authorization.h"
#include "auth/signing.h"

namespace sluice::auth {
namespace {

// Floor division, so times before 1970 still round down.
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// "5 min" for whole minutes, else "<n> sec".
std::string Window(int64_t seconds) {
  return seconds % 60 == 0 ? std::to_string(seconds / 60) + " min" : std::to_string(seconds) + " sec";
}

bool ListsHost(std::string_view signed_headers) {
  size_t pos = 0;
  while (pos <= signed_headers.size()) {
    size_t semi = signed_headers.find(';', pos);
    if (semi == std::string_view::npos) semi = signed_headers.size();
    if (signed_headers.substr(pos, semi - pos) == "host") return true;
    pos = semi + 1;
  }
  return false;
}

// The request time against the clock: at most kMaxClockSkewMs in the future,
// and in the past at most kMaxClockSkewMs (or, presigned, X-Amz-Expires).
// InvalidSignature otherwise.
Status CheckTime(const SignatureParams& p, int64_t now_ms) {
  const int64_t now_s = FloorDiv(now_ms, 1000);
  const int64_t skew_s = SigV4Verifier::kMaxClockSkewMs / 1000;
  const int64_t past_s = p.presigned && p.expires_seconds ? *p.expires_seconds : skew_s;
  if (p.request_time * 1000 < now_ms - past_s * 1000) {
    return Status(ErrorCode::kInvalidSignature, "Signature expired: " + p.amz_date + " is now earlier than " +
                                                    FormatAmzDate(now_s - past_s) + " (" + FormatAmzDate(now_s) +
                                                    " - " + Window(past_s) + ".)");
  }
  if (p.request_time * 1000 > now_ms + SigV4Verifier::kMaxClockSkewMs) {
    return Status(ErrorCode::kInvalidSignature, "Signature not yet current: " + p.amz_date + " is still later than " +
                                                    FormatAmzDate(now_s + skew_s) + " (" + FormatAmzDate(now_s) +
                                                    " + " + Window(skew_s) + ".)");
  }
  return Status::Ok();
}

}  // namespace

Result<CredentialScope> ExtractCredentialScope(const RequestView& request) {
  Result<SignatureParams> params = ParseSignatureParams(request);
  if (!params.ok()) return params.status();
  return std::move(params).value().scope;
}

SigV4Verifier::SigV4Verifier(CredentialMap credentials, std::string default_account_id)
    : credentials_(std::move(credentials)), default_account_id_(std::move(default_account_id)) {}

Result<Identity> SigV4Verifier::Verify(const RequestView& request, int64_t now_ms) const {
  Result<SignatureParams> parsed = ParseSignatureParams(request);
  if (!parsed.ok()) return parsed.status();
  const SignatureParams& p = parsed.value();

  if (!ListsHost(p.signed_headers)) {
    return Status(ErrorCode::kIncompleteSignature,
                  "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  SLUICE_RETURN_IF_ERROR(CheckTime(p, now_ms));
  if (p.scope.date != std::string_view(p.amz_date).substr(0, 8)) {
    return Status(ErrorCode::kInvalidSignature,
                  "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
                      p.scope.date + "' != '" + p.amz_date.substr(0, 8) + "', from '" + p.amz_date + "'.");
  }
  auto credential = credentials_.find(p.scope.access_key_id);
  if (credential == credentials_.end()) {
    return Status(ErrorCode::kUnrecognizedClient, "The security token included in the request is invalid.");
  }

  const std::optional<std::string_view> content_sha = FindHeader(request, "x-amz-content-sha256");
  const std::string payload_hash = content_sha ? std::string(*content_sha) : Sha256Hex(request.body);
  const std::string canonical_request = CanonicalRequest(
      request.method, CanonicalUri(p.path), CanonicalQueryString(p.raw_query, p.presigned ? "X-Amz-Signature" : ""),
      CanonicalHeaders(request.headers, p.signed_headers), p.signed_headers, payload_hash);
  const std::string scope = p.scope.date + "/" + p.scope.region + "/" + p.scope.service + "/" + kScopeTerminator;
  const std::string expected =
      Signature(SigningKey(credential->second.secret_access_key, p.scope.date, p.scope.region, p.scope.service),
                StringToSign(p.amz_date, scope, canonical_request));
  if (!SignaturesEqual(expected, p.signature)) {
    return Status(ErrorCode::kInvalidSignature,
                  "The request signature we calculated does not match the signature you provided. Check your AWS "
                  "Secret Access Key and signing method. Consult the service documentation for details.");
  }
  return Identity{p.scope.access_key_id, credential->second.account_id.value_or(default_account_id_), p.scope.region,
                  p.scope.service, p.session_token};
}

}  // namespace sluice::auth
