// An outbound request and the answer to it, independent of the HTTP version.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  // The path and query as sent ("/bucket/key?partNumber=1"), already
  // percent-encoded.
  std::string target = "/";
  // Names in any case. A "Host" header becomes HTTP/2's :authority; when it
  // is absent the connection's host is used. Content-Length is added (for
  // HTTP/1.1) and must not be given.
  HeaderList headers;
  std::string body;

  // The first header named `name` (any case), or "" when none.
  std::string_view Header(std::string_view name) const;
};

struct Response {
  int status = 0;
  HeaderList headers;  // names as received (HTTP/2: lower case)
  std::string body;    // empty when the body went to a BodySink

  std::string_view Header(std::string_view name) const;
};

// The whole HTTP/1.1 message of `request` for a server whose Host is
// `host_header`: request line, headers (Host first unless the request has
// one), Content-Length, blank line, body.
std::string SerializeHttp1(const Request& request, std::string_view host_header);

}  // namespace sluice::http
