// What a failed authentication tells the client: the exception's `__type`,
// its message and the HTTP status, exactly as the service answers them.
//
// Authentication errors are kept out of util's ErrorCode on purpose: they are
// produced only here, before any operation runs, and the gateway answers them
// directly (the lead maps them onto the response encoder). The texts are the
// service's; sigv4.h lists which check yields which.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace sluice::auth {

// Exception names (`__type`) of the service's authentication failures.
inline constexpr char kMissingAuthenticationToken[] = "MissingAuthenticationTokenException";
inline constexpr char kIncompleteSignature[] = "IncompleteSignatureException";
inline constexpr char kInvalidSignature[] = "InvalidSignatureException";
inline constexpr char kUnrecognizedClient[] = "UnrecognizedClientException";

struct AuthError {
  std::string type;     // one of the k* names above
  std::string message;  // the service's text
  // The JSON (and CBOR) protocol answers every authentication failure with 400
  // and the `__type` above; only non-JSON content types get a 403 XML body.
  int http_status = 400;

  bool operator==(const AuthError&) const = default;
};

// A value or an AuthError; the shape of util's Result<T>.
template <typename T>
class AuthResult {
 public:
  AuthResult(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  AuthResult(AuthError error) : v_(std::move(error)) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T* operator->() const { return &value(); }
  // Access only when !ok().
  const AuthError& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, AuthError> v_;
};

}  // namespace sluice::auth
