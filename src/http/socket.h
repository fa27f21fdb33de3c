// A blocking byte stream to one server, plain TCP or TLS, with deadlines:
// the transport under both HTTP/1.1 and HTTP/2 connections. The descriptor
// is non-blocking; every wait is a poll() bounded by the caller's timeout.
//
// Threading: one thread at a time.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http/tls_context.h"
#include "http/url.h"
#include "util/status.h"

namespace sluice::http {

// Asked every 100 ms while waiting for bytes; true ends the wait (Cancelled).
using StopFn = std::function<bool()>;

class Socket {
 public:
  // Resolves and connects to `url` within `timeout_ms`, then (for https://,
  // with `tls`) completes the handshake, verifying the certificate and host
  // name when the context verifies.
  // Errors: ConnectionFailed, TimedOut, TlsFailed.
  static Result<std::unique_ptr<Socket>> Connect(const Url& url, const TlsContext* tls, int64_t timeout_ms);
  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  // Errors: ConnectionFailed, TimedOut, TlsFailed.
  Status WriteAll(std::string_view bytes, int64_t timeout_ms);

  // Reads what is available into `buf`, waiting up to `idle_timeout_ms` for
  // a first byte. 0: the peer closed. Errors: ConnectionFailed, TimedOut,
  // TlsFailed, Cancelled (stop returned true).
  Result<size_t> ReadSome(char* buf, size_t n, int64_t idle_timeout_ms, const StopFn& stop);

  // The protocol ALPN selected ("" when none or plain TCP).
  std::string alpn() const;

 private:
  Socket(int fd, std::string peer) : fd_(fd), peer_(std::move(peer)) {}
  Status SslError(const std::string& what);
  Status Handshake(const Url& url, const TlsContext& tls, int64_t timeout_ms);

  int fd_;
  std::string peer_;  // host:port, for messages
  SSL* ssl_ = nullptr;
};

}  // namespace sluice::http
