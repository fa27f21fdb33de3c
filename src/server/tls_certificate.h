// The server's TLS certificate: loaded from PEM files, or a self-signed one
// made on first start and kept beside the data.
//
// The self-signed certificate is an EC P-256 key and an X.509 v3 certificate
// for CN=localhost with the SANs DNS:localhost and IP:127.0.0.1, valid ten
// years, with basicConstraints CA:TRUE so that clients can take the file
// itself as their CA bundle (curl --cacert, boto3 verify=,
// NODE_EXTRA_CA_CERTS).
#pragma once

#include <string>

#include "util/status.h"

namespace sluice::server {

struct TlsCredentials {
  std::string cert_pem;
  std::string key_pem;
  std::string cert_path;    // where clients find the certificate
  std::string fingerprint;  // SHA-256 of the DER, "AB:CD:..."
  bool generated = false;   // made by this call
};

// A new self-signed certificate and key (see above), in memory.
// Errors: Internal when OpenSSL fails.
Result<TlsCredentials> MakeSelfSignedCertificate();

// Reads `cert_file` and `key_file`. Errors: IoError naming the file.
Result<TlsCredentials> LoadTlsCredentials(const std::string& cert_file, const std::string& key_file);

// `dir`/cert.pem and `dir`/key.pem when both exist; otherwise makes a
// self-signed pair and writes it there (the directory is created; the key
// is written with mode 0600, each file through a temporary and a rename).
// Errors: IoError, Internal.
Result<TlsCredentials> LoadOrMakeTlsCredentials(const std::string& dir);

// Writes `cert_pem` to a new file in the system's temporary directory
// (for --durability memory, where there is no data dir); returns its path,
// or "" when it cannot.
std::string WriteTemporaryCertificate(const std::string& cert_pem);

// The colon-separated SHA-256 fingerprint of the first certificate in
// `cert_pem`. Errors: InvalidArgument when there is none.
Result<std::string> CertificateFingerprint(const std::string& cert_pem);

}  // namespace sluice::server
