#include "http/tls_context.h"

#include <openssl/err.h>

namespace sluice::http {

std::string OpenSslErrors() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

Result<std::shared_ptr<TlsContext>> TlsContext::Create(const TlsOptions& options, std::string_view alpn) {
  std::shared_ptr<TlsContext> ctx(new TlsContext());
  ctx->ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx->ctx_ == nullptr) return Status::TlsFailed("SSL_CTX_new: " + OpenSslErrors());
  SSL_CTX_set_min_proto_version(ctx->ctx_, TLS1_2_VERSION);
  std::string wire(1, static_cast<char>(alpn.size()));
  wire.append(alpn);
  if (SSL_CTX_set_alpn_protos(ctx->ctx_, reinterpret_cast<const unsigned char*>(wire.data()),
                              static_cast<unsigned>(wire.size())) != 0) {
    return Status::TlsFailed("cannot offer ALPN " + std::string(alpn) + ": " + OpenSslErrors());
  }
  ctx->verify_ = options.verify;
  if (!options.verify) {
    SSL_CTX_set_verify(ctx->ctx_, SSL_VERIFY_NONE, nullptr);
    return ctx;
  }
  const int loaded = options.ca_file.empty()
                         ? SSL_CTX_set_default_verify_paths(ctx->ctx_)
                         : SSL_CTX_load_verify_locations(ctx->ctx_, options.ca_file.c_str(), nullptr);
  if (loaded != 1) {
    return Status::TlsFailed("cannot load the CA bundle " +
                             (options.ca_file.empty() ? std::string("(system)") : options.ca_file) + ": " +
                             OpenSslErrors());
  }
  SSL_CTX_set_verify(ctx->ctx_, SSL_VERIFY_PEER, nullptr);
  return ctx;
}

TlsContext::~TlsContext() {
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

}  // namespace sluice::http
