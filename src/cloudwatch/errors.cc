#include "cloudwatch/errors.h"

namespace sluice::cloudwatch {

Status InvalidParameterValue(std::string message) { return {ErrorCode::kInvalidArgument, std::move(message)}; }
Status MissingParameter(std::string message) { return {ErrorCode::kValidation, std::move(message)}; }
Status InvalidParameterCombination(std::string message) { return {ErrorCode::kLimitExceeded, std::move(message)}; }

ErrorName ErrorNameOf(const Status& status) {
  constexpr std::string_view kCloudWatch = "com.amazonaws.cloudwatch";
  constexpr std::string_view kCoral = "com.amazon.coral.service";
  switch (status.code()) {
    case ErrorCode::kInvalidArgument: return {"InvalidParameterValue", "InvalidParameterValueException", kCloudWatch};
    case ErrorCode::kValidation: return {"MissingParameter", "MissingRequiredParameterException", kCloudWatch};
    case ErrorCode::kLimitExceeded:
      return {"InvalidParameterCombination", "InvalidParameterCombinationException", kCloudWatch};
    case ErrorCode::kUnknownOperation: return {"InvalidAction", "UnknownOperationException", kCoral};
    case ErrorCode::kSerialization: return {"MalformedInput", "SerializationException", kCoral};
    case ErrorCode::kMissingAuthenticationToken:
      return {"MissingAuthenticationToken", "MissingAuthenticationTokenException", kCoral, 403};
    case ErrorCode::kIncompleteSignature: return {"IncompleteSignature", "IncompleteSignatureException", kCoral, 403};
    case ErrorCode::kInvalidSignature: return {"SignatureDoesNotMatch", "InvalidSignatureException", kCoral, 403};
    case ErrorCode::kUnrecognizedClient: return {"InvalidClientTokenId", "UnrecognizedClientException", kCoral, 403};
    default: return {"InternalServiceError", "InternalServiceFault", kCloudWatch, 500, false};
  }
}

}  // namespace sluice::cloudwatch
