// What every AWS endpoint answers the same way, whichever service a request
// is for: the response headers, CORS, and the front door's own refusals.
#pragma once

#include <string>
#include <string_view>

#include "server/http_types.h"

namespace sluice::gateway {

// The body AWS answers (403, application/xml) when it cannot tell which
// service and operation a request is for: a method other than POST, or a
// content type no protocol decodes, without a target.
inline constexpr std::string_view kAccessDeniedXml =
    "<AccessDeniedException>\n"
    "  <Message>Unable to determine service/operation name to be authorized</Message>\n"
    "</AccessDeniedException>\n";

// The 403 with kAccessDeniedXml, without the AWS headers.
server::HttpResponse AccessDenied();

// The AWS JSON 1.0 protocol's answer to a target no service knows (as
// DynamoDB answers it): 400 {"__type":"com.amazon.coral.service#UnknownOperationException"}.
inline constexpr std::string_view kAmzJson10 = "application/x-amz-json-1.0";
server::HttpResponse UnknownOperationJson10();

// A random (version 4) UUID, as the services put in x-amzn-RequestId (and
// the query protocol in its bodies).
std::string RequestId();

// x-amzn-RequestId (a random version 4 UUID) and x-amz-id-2 (base64 of 72
// random bytes), as the service and kinesalite send them.
void AddAwsHeaders(server::HttpResponse& response);

// A request from a browser page on another origin (it carries Origin).
bool IsCorsRequest(const server::HttpRequest& request);
// Access-Control-Allow-Origin: * and the AWS headers a page may read.
void AddCorsHeaders(server::HttpResponse& response);
// The answer to a CORS pre-flight OPTIONS: everything asked for is allowed.
server::HttpResponse CorsPreflight(const server::HttpRequest& request);

}  // namespace sluice::gateway
