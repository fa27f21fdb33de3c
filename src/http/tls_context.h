// The client side of TLS (OpenSSL) shared by the connections of one
// HttpClient: minimum TLS 1.2, the server's certificate checked against the
// system's CA bundle or a given PEM file, and its name (or IP address)
// checked against the host connected to.
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::http {

struct TlsOptions {
  std::string ca_file;  // PEM bundle to trust instead of the system's ("" for the system's)
  bool verify = true;   // false: accept any certificate and name (tests, self-signed peers)
};

class TlsContext {
 public:
  // `alpn` is the protocol offered ("h2" or "http/1.1").
  // Errors: TlsFailed when OpenSSL fails or the CA bundle cannot be loaded.
  static Result<std::shared_ptr<TlsContext>> Create(const TlsOptions& options, std::string_view alpn);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* get() const { return ctx_; }
  bool verify() const { return verify_; }

 private:
  TlsContext() = default;
  SSL_CTX* ctx_ = nullptr;
  bool verify_ = true;
};

// OpenSSL's queued errors as one line ("" when none); clears the queue.
std::string OpenSslErrors();

}  // namespace sluice::http
