#include "api/wire_errors.h"

#include <string>

#include "api/content_type.h"
#include "engine/placement.h"
#include "gateway/aws_responses.h"
#include "protocol/errors.h"
#include "util/log.h"
#include "util/rate_limiter.h"

namespace sluice::api {
namespace {

// Server-side failures (corruption, I/O errors) reach the client as the
// service's generic InternalFailure; their details go to the log only, at
// most one line a second (a full disk fails every call), with the count of
// the lines left out.
Status ForClient(const Status& status) {
  static RateLimiter log_limit;
  switch (status.code()) {
    // Passing, not a failure: leadership moves, and in cluster mode the call
    // is forwarded to the leader the status names.
    case ErrorCode::kNotLeader: return Status(ErrorCode::kInternalFailure, "Internal Service Failure");
    case ErrorCode::kCorruption:
    case ErrorCode::kIoError:
    case ErrorCode::kInternalFailure:
      if (uint64_t suppressed; log_limit.Allow(&suppressed)) {
        log::Error("request failed on the server side: {} ({} more since the last such line)", status.ToString(),
                   suppressed);
      }
      return Status(ErrorCode::kInternalFailure, "Internal Service Failure");
    default: return status;
  }
}

}  // namespace

ApiResponse InjectedErrorResponse(bool cbor, std::string_view content_type, const Status& status) {
  ApiResponse r;
  r.status = protocol::HttpStatusFor(status.code());
  r.content_type = cbor ? std::string(kAmzCbor) : std::string(content_type);
  r.error_type = protocol::ErrorTypeName(status.code());
  r.body = cbor ? protocol::EncodeCborError(status) : protocol::EncodeJsonError(status);
  return r;
}

ApiResponse ErrorResponse(bool cbor, std::string_view content_type, const Status& status) {
  ApiResponse r = InjectedErrorResponse(cbor, content_type, ForClient(status));
  r.leader_address = engine::LeaderAddressOf(status);
  return r;
}

ApiResponse UnsupportedContentTypeResponse(bool target_present) {
  ApiResponse r;
  if (!target_present) {
    r.status = 403;
    r.error_type = "AccessDeniedException";
    r.body = std::string(gateway::kAccessDeniedXml);
  } else {
    r.status = 404;
    r.error_type = "UnknownOperationException";
    r.body = "<UnknownOperationException/>\n";
  }
  return r;
}

ApiResponse GatewayErrorResponse(std::string_view request_content_type, const Status& status) {
  const bool cbor = CodecOf(MediaType(request_content_type)) == Codec::kCbor;
  return ErrorResponse(cbor, kAmzJson, status);
}

}  // namespace sluice::api
