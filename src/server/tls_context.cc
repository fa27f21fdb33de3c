#include "server/tls_context.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cstring>
#include <string_view>

#include <fmt/format.h>

namespace sluice::server {
namespace {

// ALPN: h2 when the client offers it, else http/1.1; a client offering
// neither continues without ALPN (served as HTTP/1.1).
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* out_length, const unsigned char* in,
               unsigned int in_length, void*) {
  std::string_view chosen;
  for (unsigned int i = 0; i < in_length;) {
    unsigned int n = in[i];
    if (i + 1 + n > in_length) break;
    std::string_view name(reinterpret_cast<const char*>(in + i + 1), n);
    if (name == "h2") {
      *out = in + i + 1;
      *out_length = static_cast<unsigned char>(n);
      return SSL_TLSEXT_ERR_OK;
    }
    if (name == "http/1.1" && chosen.empty()) {
      chosen = name;
      *out = in + i + 1;
      *out_length = static_cast<unsigned char>(n);
    }
    i += 1 + n;
  }
  return chosen.empty() ? SSL_TLSEXT_ERR_NOACK : SSL_TLSEXT_ERR_OK;
}

}  // namespace

std::string TlsErrorText() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "no OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

Result<std::unique_ptr<TlsContext>> TlsContext::Create(const std::string& cert_pem, const std::string& key_pem) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return Status::Internal("SSL_CTX_new: " + TlsErrorText());
  std::unique_ptr<TlsContext> context(new TlsContext(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
  // A client that closes TCP without close_notify ends its side like a
  // plain client's EOF (answers to complete requests are still written).
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif
  SSL_CTX_set_num_tickets(ctx, 0);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_alpn_select_cb(ctx, &SelectAlpn, nullptr);

  BIO* bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* leaf = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  if (leaf == nullptr) {
    BIO_free(bio);
    return Status::InvalidArgument("TLS certificate: no PEM certificate: " + TlsErrorText());
  }
  int ok = SSL_CTX_use_certificate(ctx, leaf);
  X509_free(leaf);
  // The rest of the file: intermediates, sent along with the leaf.
  while (ok == 1) {
    X509* extra = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    if (extra == nullptr) break;
    if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
      X509_free(extra);
      ok = 0;
    }
  }
  BIO_free(bio);
  ERR_clear_error();  // the end of the PEM data reads as an error
  if (ok != 1) return Status::InvalidArgument("TLS certificate refused: " + TlsErrorText());

  bio = BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size()));
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (key == nullptr) return Status::InvalidArgument("TLS key: no PEM private key: " + TlsErrorText());
  ok = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  if (ok != 1) return Status::InvalidArgument("TLS key refused: " + TlsErrorText());
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Status::InvalidArgument("TLS key does not match the certificate: " + TlsErrorText());
  }
  return context;
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

SSL* TlsContext::NewSession() const { return SSL_new(ctx_); }

}  // namespace sluice::server
