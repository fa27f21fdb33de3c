// The one error type of Sluice: a code and a message, plus Result<T>.
//
// Codes that reach clients are named after the Kinesis exceptions they become
// (the mapping to `__type` and HTTP status lives in src/protocol/errors.h);
// the rest are internal (Corruption, IoError, NotLeader) and surface to a
// client as InternalFailure. An OK Status costs one enum compare.
// Exceptions never cross a layer boundary: every fallible call returns
// Status or Result<T>.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sluice {

enum class ErrorCode {
  kOk = 0,
  // Client-visible, named after the Kinesis exception they map to.
  kResourceNotFound,
  kResourceInUse,
  kInvalidArgument,
  kExpiredIterator,
  kExpiredNextToken,
  kProvisionedThroughputExceeded,
  kLimitExceeded,
  kValidation,
  kSerialization,
  kUnknownOperation,
  kAccessDenied,
  // A failed signature check (src/auth), answered before any operation runs.
  kMissingAuthenticationToken,
  kIncompleteSignature,
  kInvalidSignature,
  kUnrecognizedClient,  // an access key the server does not know
  kInternalFailure,
  kKmsDisabled,
  kKmsInvalidState,
  kKmsAccessDenied,
  kKmsNotFound,
  kKmsOptInRequired,
  kKmsThrottling,
  kServiceUnavailable,  // 503; injected faults, and cluster mode when etcd does not answer
  // Internal; reported to clients as InternalFailure.
  kCorruption,
  kIoError,
  // Shard placement: this node does not lead the shard a call names (the
  // engine's placement interface returns it; in single-node mode never).
  // Answered as InternalFailure (500), which clients retry.
  kNotLeader,
  // Outbound calls (src/http): no usable answer from the peer.
  kConnectionFailed,  // resolve, connect, reset, closed
  kTimedOut,
  kTlsFailed,    // handshake, certificate or host name verification
  kBadResponse,  // not HTTP, or not the protocol expected
  kCancelled,    // the caller's stop condition ended the call
};

// Returns a stable name for logs ("ResourceNotFound", "Corruption", ...).
const char* ErrorCodeName(ErrorCode code);

// [[nodiscard]]: a Status or Result<T> dropped on the floor is a bug; where
// ignoring one is right, say so with `(void)` and a comment.
class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return {ErrorCode::kResourceNotFound, std::move(m)}; }
  static Status InUse(std::string m) { return {ErrorCode::kResourceInUse, std::move(m)}; }
  static Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Status Validation(std::string m) { return {ErrorCode::kValidation, std::move(m)}; }
  static Status Serialization(std::string m) { return {ErrorCode::kSerialization, std::move(m)}; }
  static Status LimitExceeded(std::string m) { return {ErrorCode::kLimitExceeded, std::move(m)}; }
  static Status ExpiredIterator(std::string m) { return {ErrorCode::kExpiredIterator, std::move(m)}; }
  static Status ExpiredNextToken(std::string m) { return {ErrorCode::kExpiredNextToken, std::move(m)}; }
  static Status Internal(std::string m) { return {ErrorCode::kInternalFailure, std::move(m)}; }
  static Status Corruption(std::string m) { return {ErrorCode::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {ErrorCode::kIoError, std::move(m)}; }
  static Status ConnectionFailed(std::string m) { return {ErrorCode::kConnectionFailed, std::move(m)}; }
  static Status TimedOut(std::string m) { return {ErrorCode::kTimedOut, std::move(m)}; }
  static Status TlsFailed(std::string m) { return {ErrorCode::kTlsFailed, std::move(m)}; }
  static Status BadResponse(std::string m) { return {ErrorCode::kBadResponse, std::move(m)}; }
  static Status Cancelled(std::string m) { return {ErrorCode::kCancelled, std::move(m)}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "<CodeName>: <message>", for logs.
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// A value or an error. Access value() only when ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}                                              // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return v_.index() == 0; }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  // The error; Status::Ok() when a value is held.
  Status status() const { return ok() ? Status() : std::get<1>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace sluice

// Propagates a non-OK Status from an expression returning Status.
#define SLUICE_RETURN_IF_ERROR(expr) \
  do {                               \
    ::sluice::Status _st = (expr);   \
    if (!_st.ok()) return _st;       \
  } while (0)

#define SLUICE_CONCAT_INNER(a, b) a##b
#define SLUICE_CONCAT(a, b) SLUICE_CONCAT_INNER(a, b)
// `SLUICE_ASSIGN_OR_RETURN(auto x, Expr())` binds the value or returns the error.
#define SLUICE_ASSIGN_OR_RETURN(lhs, expr) SLUICE_ASSIGN_OR_RETURN_IMPL(SLUICE_CONCAT(_res_, __LINE__), lhs, expr)
#define SLUICE_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
