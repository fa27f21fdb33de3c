// The wire shape of errors: ErrorCode -> exception name (`__type`) and HTTP
// status, and the error bodies.
//
// Every client error is 400 (the authentication failures too: the JSON and
// CBOR protocols answer them with 400, not 403); InternalFailure (and the
// internal codes Corruption, IoError, NotLeader, reported as InternalFailure)
// is 500.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::protocol {

// "ResourceNotFoundException", "InternalFailure", ...
const char* ErrorTypeName(ErrorCode code);

// 400 for client errors, 500 for InternalFailure and internal codes.
int HttpStatusFor(ErrorCode code);

// {"__type":"<name>","message":"<text>"}. SerializationException uses
// "Message" (capital M), as the service does; the member is omitted when the
// status has no message.
std::string EncodeJsonError(const Status& status);

// The same body as a CBOR map, for requests in the CBOR codec.
std::string EncodeCborError(const Status& status);

}  // namespace sluice::protocol
