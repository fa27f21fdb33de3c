#include "auth/authorization.h"

#include <map>
#include <utility>
#include <vector>

#include "auth/amz_date.h"
#include "auth/signing.h"
#include "util/ascii.h"

namespace sluice::auth {
namespace {

// Decoded query parameters; the first occurrence of a name wins.
std::map<std::string, std::string, std::less<>> QueryParams(std::string_view query) {
  std::map<std::string, std::string, std::less<>> out;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view item = query.substr(pos, amp - pos);
    pos = amp + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    std::string value = eq == std::string_view::npos ? std::string() : UriDecode(item.substr(eq + 1), true);
    out.try_emplace(UriDecode(item.substr(0, eq), true), std::move(value));
  }
  return out;
}

Status BadDate(std::string_view value) {
  return Status(ErrorCode::kIncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '" + std::string(value) +
                                                     "'. See http://en.wikipedia.org/wiki/ISO_8601");
}

Status Unsupported(std::string_view algorithm) {
  return Status(ErrorCode::kIncompleteSignature, "Unsupported AWS 'algorithm': '" + std::string(algorithm) + "'");
}

// "AKID/yyyymmdd/region/service/aws4_request" -> scope (terminator checked later);
// IncompleteSignature unless there are five non-empty parts.
Result<CredentialScope> SplitCredential(std::string_view credential, std::string* terminator) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (true) {
    const size_t slash = credential.find('/', pos);
    parts.push_back(credential.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  bool five = parts.size() == 5;
  for (std::string_view p : parts) five = five && !p.empty();
  if (!five) {
    return Status(ErrorCode::kIncompleteSignature,
                  "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, "
                  "got '" +
                      std::string(credential) + "'");
  }
  *terminator = std::string(parts[4]);
  return CredentialScope{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
}

Result<SignatureParams> FromHeader(const RequestView& request, std::string_view header, SignatureParams params) {
  const size_t space = header.find(' ');
  const std::string_view algorithm = header.substr(0, space);
  if (algorithm != kAlgorithm) return Unsupported(algorithm);
  std::map<std::string, std::string, std::less<>> fields;
  std::string_view rest = space == std::string_view::npos ? std::string_view() : header.substr(space + 1);
  size_t pos = 0;
  while (pos < rest.size()) {
    size_t end = rest.find_first_of(", ", pos);
    if (end == std::string_view::npos) end = rest.size();
    const std::string_view item = rest.substr(pos, end - pos);
    pos = end + 1;
    const size_t eq = item.find('=');
    if (item.empty() || eq == std::string_view::npos) continue;
    fields.try_emplace(std::string(item.substr(0, eq)), std::string(item.substr(eq + 1)));
  }
  std::string message;
  for (const char* name : {"Credential", "Signature", "SignedHeaders"}) {
    auto it = fields.find(name);
    if (it == fields.end() || it->second.empty()) {
      message += "Authorization header requires '" + std::string(name) + "' parameter. ";
    }
  }
  const std::optional<std::string_view> amz_date = FindHeader(request, "x-amz-date");
  const std::optional<std::string_view> http_date = FindHeader(request, "date");
  if (!amz_date && !http_date) {
    message += "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ";
  }
  if (!message.empty()) {
    return Status(ErrorCode::kIncompleteSignature, message + "Authorization=" + std::string(header));
  }

  if (amz_date) {
    const Result<int64_t> t = ParseAmzDate(*amz_date);
    if (!t.ok()) return BadDate(*amz_date);
    params.amz_date = std::string(*amz_date);
    params.request_time = *t;
  } else {
    const Result<int64_t> t = ParseHttpDate(*http_date);
    if (!t.ok()) return BadDate(*http_date);
    params.amz_date = FormatAmzDate(*t);
    params.request_time = *t;
  }
  params.credential = std::move(fields["Credential"]);
  params.signed_headers = std::move(fields["SignedHeaders"]);
  params.signature = std::move(fields["Signature"]);
  if (auto token = FindHeader(request, "x-amz-security-token")) params.session_token = std::string(*token);
  return params;
}

Result<SignatureParams> FromQuery(std::map<std::string, std::string, std::less<>> query, SignatureParams params) {
  std::string message;
  for (const char* name :
       {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"}) {
    auto it = query.find(name);
    if (it == query.end() || it->second.empty()) {
      message += "AWS query-string parameters must include '" + std::string(name) + "'. ";
    }
  }
  if (!message.empty()) {
    return Status(ErrorCode::kIncompleteSignature, message + "Re-examine the query-string parameters.");
  }
  if (query["X-Amz-Algorithm"] != kAlgorithm) return Unsupported(query["X-Amz-Algorithm"]);
  const Result<int64_t> t = ParseAmzDate(query["X-Amz-Date"]);
  if (!t.ok()) return BadDate(query["X-Amz-Date"]);
  params.presigned = true;
  params.amz_date = std::move(query["X-Amz-Date"]);
  params.request_time = *t;
  params.credential = std::move(query["X-Amz-Credential"]);
  params.signed_headers = std::move(query["X-Amz-SignedHeaders"]);
  params.signature = std::move(query["X-Amz-Signature"]);
  if (auto it = query.find("X-Amz-Expires"); it != query.end()) {
    const std::string& v = it->second;
    int64_t seconds = 0;
    bool number = !v.empty() && v.size() <= 12;
    for (char c : v) {
      if (c < '0' || c > '9') number = false;
      seconds = seconds * 10 + (c - '0');
    }
    if (!number) return Status(ErrorCode::kIncompleteSignature, "X-Amz-Expires should be a number");
    if (seconds > SigV4Verifier::kMaxExpiresSeconds) {
      return Status(ErrorCode::kIncompleteSignature,
                    "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must "
                    "be less than 604800 seconds");
    }
    params.expires_seconds = seconds;
  }
  if (auto it = query.find("X-Amz-Security-Token"); it != query.end()) params.session_token = it->second;
  return params;
}

}  // namespace

std::optional<std::string_view> FindHeader(const RequestView& request, std::string_view lower_name) {
  for (const HeaderField& h : request.headers) {
    if (EqualsIgnoreCase(h.name, lower_name)) return h.value;
  }
  return std::nullopt;
}

Result<SignatureParams> ParseSignatureParams(const RequestView& request) {
  SignatureParams params;
  const size_t question = request.target.find('?');
  params.path = std::string(request.target.substr(0, question));
  if (question != std::string_view::npos) params.raw_query = std::string(request.target.substr(question + 1));
  auto query = QueryParams(params.raw_query);

  const std::optional<std::string_view> header = FindHeader(request, "authorization");
  const bool in_query = query.contains("X-Amz-Algorithm");
  if (header && in_query) {
    return Status(ErrorCode::kInvalidSignature,
                  "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
  }
  if (!header && !in_query) return Status(ErrorCode::kMissingAuthenticationToken, "Missing Authentication Token");

  Result<SignatureParams> parsed =
      header ? FromHeader(request, *header, std::move(params)) : FromQuery(std::move(query), std::move(params));
  if (!parsed.ok()) return parsed;
  SignatureParams out = std::move(parsed).value();
  std::string terminator;
  SLUICE_ASSIGN_OR_RETURN(CredentialScope scope, SplitCredential(out.credential, &terminator));
  if (terminator != kScopeTerminator) {
    return Status(ErrorCode::kInvalidSignature,
                  "Credential should be scoped with a valid terminator: 'aws4_request', not '" + terminator + "'.");
  }
  out.scope = std::move(scope);
  return out;
}

}  // namespace sluice::auth
