// The answers the server gives by itself, before any handler sees a request:
// malformed HTTP (400), header section too large (431), body too large
// (413), an unsupported transfer coding (501) or HTTP version (505), and no
// descriptor left to serve a connection (503).
//
// They take the AWS JSON protocol's error shape, as every other error the
// clients see does: Content-Type application/x-amz-json-1.1, an
// x-amzn-ErrorType header and the body {"__type":"<type>","message":"<text>"},
// so an SDK reports an error code and a message instead of failing to parse
// a text body. Types: 400, 431, 501, 505 MalformedHttpRequestException; 408
// RequestTimeoutException (body deadline); 413
// RequestEntityTooLargeException; 503 ServiceUnavailable (no descriptor, or
// the memory budget has no room); any other status InternalFailure.
#pragma once

#include <string>
#include <string_view>

#include "server/http_types.h"

namespace sluice::server {

// The answer for `status`, to be framed by the connection (HTTP/1.1 or 2),
// with `message` instead of the status's standard text when it is not empty
// (it must hold no character JSON escapes).
HttpResponse ErrorResponse(int status, std::string_view message = {});

// The same answer as a whole HTTP/1.1 message with `Connection: close`, for
// a socket that no connection object serves (accepted only to be refused).
std::string Http1ErrorMessage(int status);

}  // namespace sluice::server
