// The Kinesis service's error answers, every one of them: a Status in the
// request's codec (JSON 1.1 or CBOR 1.1; the code's `__type` and HTTP status
// from protocol/errors.h), the XML answers to content types no codec
// decodes, and the authentication failures the gateway hands over.
#pragma once

#include <string_view>

#include "api/dispatcher.h"
#include "util/status.h"

namespace sluice::api {

// `status` in the codec: CBOR when `cbor`, else JSON with `content_type`
// echoed. Server-side failures (Corruption, IoError, NotLeader,
// InternalFailure) are logged and answered as the service's generic
// InternalFailure; a NotLeader's leader address is kept in the answer's
// `leader_address`.
ApiResponse ErrorResponse(bool cbor, std::string_view content_type, const Status& status);

// `status` as it is, not logged: an injected fault is not the server's failure.
ApiResponse InjectedErrorResponse(bool cbor, std::string_view content_type, const Status& status);

// A content type no codec decodes: 403 AccessDeniedException without a
// target, else 404 UnknownOperationException; XML bodies.
ApiResponse UnsupportedContentTypeResponse(bool target_present);

// An error the gateway hands over (a failed signature check), as
// ErrorResponse writes it: CBOR when the request's content type is CBOR 1.1,
// else JSON 1.1 whatever the request's content type.
ApiResponse GatewayErrorResponse(std::string_view request_content_type, const Status& status);

}  // namespace sluice::api
