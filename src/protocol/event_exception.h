// The exception event that ends an AWS event stream (SubscribeToShard,
// SubscribeToGroup): its :exception-type and its JSON payload, from a Status.
#pragma once

#include <string>

#include "util/status.h"

namespace sluice::protocol {

// The exception's name as an event-stream union names it: the error type's
// name (ErrorTypeName), with InternalFailure as "InternalFailureException".
std::string EventExceptionType(const Status& status);
// {"message": "<status message>"}, the payload Kinesis sends.
std::string EventExceptionPayload(const Status& status);

}  // namespace sluice::protocol
