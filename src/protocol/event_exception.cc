#include "protocol/event_exception.h"

#include "protocol/errors.h"
#include "protocol/json_writer.h"

namespace sluice::protocol {

std::string EventExceptionType(const Status& status) {
  std::string type = ErrorTypeName(status.code());
  if (type == "InternalFailure") type = "InternalFailureException";
  return type;
}

std::string EventExceptionPayload(const Status& status) {
  std::string payload;
  JsonWriter w(&payload);
  w.BeginObject();
  w.Member("message", status.message());
  w.EndObject();
  return payload;
}

}  // namespace sluice::protocol
