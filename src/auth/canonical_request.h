// The pieces of a SigV4 canonical request, built from a request as received.
//
//   <METHOD>\n
//   <canonical URI>\n
//   <canonical query string>\n
//   <canonical headers: one "name:value\n" per signed header>\n
//   <signed headers, ';'-separated>\n
//   <hashed payload>
//
// Everything here is pure string work: no clock, no secrets, no OpenSSL.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace sluice::auth {

// One header as received: name in any case, value untrimmed. A name may
// repeat; HTTP/2 requests carry the host as ":authority".
struct HeaderField {
  std::string_view name;
  std::string_view value;
};

// RFC 3986 percent-encoding as SigV4 uses it: unreserved characters
// (A-Z a-z 0-9 - _ . ~) stay, every other byte becomes %XX (upper-case hex).
// With `keep_slash`, '/' stays too (for paths).
std::string UriEncode(std::string_view bytes, bool keep_slash);

// Decodes %XX escapes and, with `plus_is_space`, '+' as a space. A '%' not
// followed by two hex digits is kept as it is.
std::string UriDecode(std::string_view s, bool plus_is_space);

// The canonical URI of a request path (without the query): dot segments and
// empty segments removed, a trailing '/' kept, each segment's raw bytes
// URI-encoded once more (so "%20" becomes "%2520", as every SigV4 service
// other than S3 expects). "" and "/" give "/".
std::string CanonicalUri(std::string_view path);

// The canonical query string of a raw query (after '?'): each parameter
// decoded then re-encoded, sorted by encoded name then value, joined with '&';
// "name" without '=' counts as "name=". Parameters named `exclude` (already
// decoded, e.g. "X-Amz-Signature") are left out.
std::string CanonicalQueryString(std::string_view query, std::string_view exclude = {});

// Lower-cases ASCII.
std::string ToLower(std::string_view s);

// A header value as SigV4 signs it: leading/trailing blanks removed, every
// inner run of blanks collapsed to one space.
std::string CanonicalHeaderValue(std::string_view value);

// The canonical-headers block for `signed_headers` (lower-case names, ';'
// separated, in the order given): "name:v1,v2\n" per name, joining repeated
// headers' values in the order received. A signed header the request lacks
// gets an empty value (its signature then cannot match). "host" falls back to
// ":authority" when the request has no Host header.
std::string CanonicalHeaders(std::span<const HeaderField> headers, std::string_view signed_headers);

// Joins the six parts above with '\n'.
std::string CanonicalRequest(std::string_view method, std::string_view canonical_uri, std::string_view canonical_query,
                             std::string_view canonical_headers, std::string_view signed_headers,
                             std::string_view hashed_payload);

}  // namespace sluice::auth
