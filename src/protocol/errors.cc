#include "protocol/errors.h"

#include "protocol/json_writer.h"

namespace sluice::protocol {

const char* ErrorTypeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "";
    case ErrorCode::kResourceNotFound: return "ResourceNotFoundException";
    case ErrorCode::kResourceInUse: return "ResourceInUseException";
    case ErrorCode::kInvalidArgument: return "InvalidArgumentException";
    case ErrorCode::kExpiredIterator: return "ExpiredIteratorException";
    case ErrorCode::kExpiredNextToken: return "ExpiredNextTokenException";
    case ErrorCode::kProvisionedThroughputExceeded: return "ProvisionedThroughputExceededException";
    case ErrorCode::kLimitExceeded: return "LimitExceededException";
    case ErrorCode::kValidation: return "ValidationException";
    case ErrorCode::kSerialization: return "SerializationException";
    case ErrorCode::kUnknownOperation: return "UnknownOperationException";
    case ErrorCode::kAccessDenied: return "AccessDeniedException";
    case ErrorCode::kMissingAuthenticationToken: return "MissingAuthenticationTokenException";
    case ErrorCode::kIncompleteSignature: return "IncompleteSignatureException";
    case ErrorCode::kInvalidSignature: return "InvalidSignatureException";
    case ErrorCode::kUnrecognizedClient: return "UnrecognizedClientException";
    case ErrorCode::kKmsDisabled: return "KMSDisabledException";
    case ErrorCode::kKmsInvalidState: return "KMSInvalidStateException";
    case ErrorCode::kKmsAccessDenied: return "KMSAccessDeniedException";
    case ErrorCode::kKmsNotFound: return "KMSNotFoundException";
    case ErrorCode::kKmsOptInRequired: return "KMSOptInRequired";
    case ErrorCode::kKmsThrottling: return "KMSThrottlingException";
    case ErrorCode::kServiceUnavailable: return "ServiceUnavailable";
    case ErrorCode::kInternalFailure:
    case ErrorCode::kCorruption:
    case ErrorCode::kIoError:
    case ErrorCode::kNotLeader:
    case ErrorCode::kConnectionFailed:
    case ErrorCode::kTimedOut:
    case ErrorCode::kTlsFailed:
    case ErrorCode::kBadResponse:
    case ErrorCode::kCancelled: return "InternalFailure";
  }
  return "InternalFailure";
}

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return 200;
    // NotLeader is passing (leadership moves, or the call is forwarded next
    // time): the SDKs retry InternalFailure/500 with backoff, so a client
    // rides out a leader change without seeing it. A 4xx would not be retried.
    case ErrorCode::kNotLeader:
    case ErrorCode::kInternalFailure:
    case ErrorCode::kCorruption:
    case ErrorCode::kIoError:
    case ErrorCode::kConnectionFailed:
    case ErrorCode::kTimedOut:
    case ErrorCode::kTlsFailed:
    case ErrorCode::kBadResponse:
    case ErrorCode::kCancelled: return 500;
    case ErrorCode::kServiceUnavailable: return 503;
    default: return 400;
  }
}

std::string EncodeJsonError(const Status& status) {
  std::string out;
  out.reserve(48 + status.message().size());
  JsonWriter w(&out);
  w.BeginObject();
  w.Member("__type", ErrorTypeName(status.code()));
  if (!status.message().empty()) {
    w.Member(status.code() == ErrorCode::kSerialization ? "Message" : "message", status.message());
  }
  w.EndObject();
  return out;
}

namespace {

// CBOR major type 3 (text string) header plus bytes.
void AppendCborText(std::string* out, std::string_view s) {
  size_t n = s.size();
  if (n < 24) {
    out->push_back(static_cast<char>(0x60 | n));
  } else if (n < 0x100) {
    out->push_back(static_cast<char>(0x78));
    out->push_back(static_cast<char>(n));
  } else if (n < 0x10000) {
    out->push_back(static_cast<char>(0x79));
    out->push_back(static_cast<char>(n >> 8));
    out->push_back(static_cast<char>(n & 0xff));
  } else {
    out->push_back(static_cast<char>(0x7a));
    for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>((n >> shift) & 0xff));
  }
  out->append(s);
}

}  // namespace

std::string EncodeCborError(const Status& status) {
  std::string out;
  bool has_message = !status.message().empty();
  out.push_back(static_cast<char>(has_message ? 0xa2 : 0xa1));  // map of 1 or 2 pairs
  AppendCborText(&out, "__type");
  AppendCborText(&out, ErrorTypeName(status.code()));
  if (has_message) {
    AppendCborText(&out, status.code() == ErrorCode::kSerialization ? "Message" : "message");
    AppendCborText(&out, status.message());
  }
  return out;
}

}  // namespace sluice::protocol
