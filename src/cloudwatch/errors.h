// CloudWatch's errors. Operations fail with a Status; this table turns its
// code into what each protocol needs: the query protocol's error code
// ("InvalidParameterValue") and fault type, the Smithy shape name the JSON
// and CBOR protocols put in __type ("InvalidParameterValueException"), and
// the HTTP status.
//
// CloudWatch's own exceptions, as Status codes:
//   InvalidParameterValue        kInvalidArgument
//   MissingParameter             kValidation
//   InvalidParameterCombination  kLimitExceeded (the service has no
//                                LimitExceeded error of its own; its
//                                "too many datapoints" case is this one)
//   InternalServiceError         kInternalFailure and the internal codes
// and the front door's: kUnknownOperation (InvalidAction in the query
// protocol, UnknownOperationException in the others), kSerialization, and
// the signature failures of auth/sigv4.h.
#pragma once

#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::cloudwatch {

Status InvalidParameterValue(std::string message);
Status MissingParameter(std::string message);
Status InvalidParameterCombination(std::string message);

struct ErrorName {
  std::string_view query_code;      // <Code> in the query protocol and x-amzn-query-error
  std::string_view shape;           // the __type after '#'
  std::string_view type_namespace;  // the __type before '#'
  int http_status = 400;
  bool sender = true;  // <Type>Sender</Type>, else Receiver
};

ErrorName ErrorNameOf(const Status& status);

}  // namespace sluice::cloudwatch
