// TlsContext: the server's OpenSSL context, shared by every loop: the
// certificate and key, TLS 1.2 and later only, ALPN choosing "h2" or
// "http/1.1" (the client's order of preference among the two is ignored:
// h2 wins when offered), no renegotiation, no session tickets (no resumption
// state kept anywhere).
//
// Threading: immutable after Create(); SSL_new from any thread is safe.
#pragma once

#include <memory>
#include <string>

#include "util/status.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace sluice::server {

class TlsContext {
 public:
  // From PEM text (a certificate chain, leaf first, and its private key).
  // Errors: InvalidArgument naming what OpenSSL refused.
  static Result<std::unique_ptr<TlsContext>> Create(const std::string& cert_pem, const std::string& key_pem);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // A new server-side session (nullptr when out of memory).
  SSL* NewSession() const;

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

// The last OpenSSL error of this thread as text (and clears the queue).
std::string TlsErrorText();

}  // namespace sluice::server
