#include "server/error_response.h"

#include <fmt/format.h>

#include "server/http_status.h"

namespace sluice::server {
namespace {

struct ErrorShape {
  const char* type;
  const char* message;
};

ErrorShape ShapeFor(int status) {
  switch (status) {
    case 400: return {"MalformedHttpRequestException", "The request is not valid HTTP/1.1."};
    case 408: return {"RequestTimeoutException", "The request body did not arrive in time."};
    case 413: return {"RequestEntityTooLargeException", "The request body is larger than the server accepts."};
    case 431: return {"MalformedHttpRequestException", "The request's header section is too large."};
    case 501: return {"MalformedHttpRequestException", "Transfer-Encoding other than chunked is not supported."};
    case 503: return {"ServiceUnavailable", "The server has no resources left for this connection; retry later."};
    case 505: return {"MalformedHttpRequestException", "HTTP version not supported."};
    default: return {"InternalFailure", "The server could not answer the request."};
  }
}

}  // namespace

HttpResponse ErrorResponse(int status, std::string_view message) {
  ErrorShape shape = ShapeFor(status);
  HttpResponse response;
  response.status = status;
  response.headers.emplace_back("Content-Type", "application/x-amz-json-1.1");
  response.headers.emplace_back("x-amzn-ErrorType", shape.type);
  // Neither text holds a character JSON would escape.
  response.body = fmt::format(R"({{"__type":"{}","message":"{}"}})", shape.type,
                              message.empty() ? std::string_view(shape.message) : message);
  return response;
}

std::string Http1ErrorMessage(int status) {
  HttpResponse response = ErrorResponse(status);
  std::string message = fmt::format("HTTP/1.1 {} {}\r\n", status, ReasonPhrase(status));
  for (const auto& [name, value] : response.headers) message += fmt::format("{}: {}\r\n", name, value);
  message +=
      fmt::format("Content-Length: {}\r\nDate: {}\r\nConnection: close\r\n\r\n", response.body.size(), HttpDateNow());
  return message + response.body;
}

}  // namespace sluice::server
