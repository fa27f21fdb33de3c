#include "util/status.h"

namespace sluice {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "Ok";
    case ErrorCode::kResourceNotFound: return "ResourceNotFound";
    case ErrorCode::kResourceInUse: return "ResourceInUse";
    case ErrorCode::kInvalidArgument: return "InvalidArgument";
    case ErrorCode::kExpiredIterator: return "ExpiredIterator";
    case ErrorCode::kExpiredNextToken: return "ExpiredNextToken";
    case ErrorCode::kProvisionedThroughputExceeded: return "ProvisionedThroughputExceeded";
    case ErrorCode::kLimitExceeded: return "LimitExceeded";
    case ErrorCode::kValidation: return "Validation";
    case ErrorCode::kSerialization: return "Serialization";
    case ErrorCode::kUnknownOperation: return "UnknownOperation";
    case ErrorCode::kAccessDenied: return "AccessDenied";
    case ErrorCode::kMissingAuthenticationToken: return "MissingAuthenticationToken";
    case ErrorCode::kIncompleteSignature: return "IncompleteSignature";
    case ErrorCode::kInvalidSignature: return "InvalidSignature";
    case ErrorCode::kUnrecognizedClient: return "UnrecognizedClient";
    case ErrorCode::kInternalFailure: return "InternalFailure";
    case ErrorCode::kKmsDisabled: return "KmsDisabled";
    case ErrorCode::kKmsInvalidState: return "KmsInvalidState";
    case ErrorCode::kKmsAccessDenied: return "KmsAccessDenied";
    case ErrorCode::kKmsNotFound: return "KmsNotFound";
    case ErrorCode::kKmsOptInRequired: return "KmsOptInRequired";
    case ErrorCode::kKmsThrottling: return "KmsThrottling";
    case ErrorCode::kServiceUnavailable: return "ServiceUnavailable";
    case ErrorCode::kCorruption: return "Corruption";
    case ErrorCode::kIoError: return "IoError";
    case ErrorCode::kNotLeader: return "NotLeader";
    case ErrorCode::kConnectionFailed: return "ConnectionFailed";
    case ErrorCode::kTimedOut: return "TimedOut";
    case ErrorCode::kTlsFailed: return "TlsFailed";
    case ErrorCode::kBadResponse: return "BadResponse";
    case ErrorCode::kCancelled: return "Cancelled";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(ErrorCodeName(code_)) + ": " + message_;
}

}  // namespace sluice
