// Test helper: serve TLS with a fresh self-signed certificate, for test
// servers that clients verify against it.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "server/server.h"
#include "server/tls_certificate.h"

namespace sluice::testing {

// Turns on TLS in `options` with a new self-signed certificate and writes the
// certificate to a temporary file named in *cert_file (the clients' CA file).
// Returns false, with a test failure added, if no certificate could be made.
inline bool EnableSelfSignedTls(server::ServerOptions& options, std::string* cert_file) {
  auto made = server::MakeSelfSignedCertificate();
  if (!made.ok()) {
    ADD_FAILURE() << made.status().ToString();
    return false;
  }
  *cert_file = server::WriteTemporaryCertificate(made->cert_pem);
  options.tls.enabled = true;
  options.tls.cert_pem = made->cert_pem;
  options.tls.key_pem = made->key_pem;
  return true;
}

}  // namespace sluice::testing
