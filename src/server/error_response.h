// The answers the server gives by itself, before any handler sees a request:
// malformed HTTP (400), header section too large (431), body too large
// (413), an unsupported transfer coding (501) or HTTP version (505), and no
// descriptor left to serve a connection (503).
//
// They take the AWS JSON protocol's error shape, as every other error the
// clients see does: Content-Type application/x-amz-json-1.1, an
// x-amzn-ErrorType header and the body {"__type":"<type>","message":"<text>"},
// so an SDK reports an error code and a message instead of failing to parse
// a text body. Types: 400, 431, 501, 505 MalformedHttpRequestException; 413
// RequestEntityTooLargeException; 503 ServiceUnavailable; any other status
// InternalFailure.
#pragma once

#include <string>

#include "server/http_types.h"

namespace sluice::server {

// The answer for `status`, to be framed by the connection (HTTP/1.1 or 2).
HttpResponse ErrorResponse(int status);

// The same answer as a whole HTTP/1.1 message with `Connection: close`, for
// a socket that no connection object serves (accepted only to be refused).
std::string Http1ErrorMessage(int status);

}  // namespace sluice::server
