// The server's view of a request and a response, the same for HTTP/1.1 and
// HTTP/2. The server knows nothing of Kinesis: it hands each request to a
// Handler and writes whatever HttpResponse comes back.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::server {

struct HttpHeader {
  std::string_view name;  // lower-case
  std::string_view value;
};

// Valid only for the duration of the Handler call: copy what you keep.
struct HttpRequest {
  std::string_view method;
  std::string_view target;  // request target: path and query ("/", "/health")
  int http_major = 1;       // 1 or 2
  std::vector<HttpHeader> headers;
  std::string_view body;

  // First value of header `lower_name`, or "" when absent.
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& h : headers)
      if (h.name == lower_name) return h.value;
    return {};
  }
};

struct HttpResponse {
  int status = 200;
  // The server adds Content-Length (HTTP/1.1), Date and Connection itself.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Completes a request. Callable from any thread, exactly once. Calling it
// after the client went away is harmless (the response is dropped).
using Responder = std::function<void(HttpResponse)>;

// Called on an event-loop thread for each complete request.
using Handler = std::function<void(const HttpRequest&, Responder)>;

}  // namespace sluice::server
