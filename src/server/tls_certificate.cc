#include "server/tls_certificate.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "server/tls_context.h"

namespace sluice::server {
namespace {

constexpr long kValiditySeconds = 10L * 365 * 24 * 3600;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1;
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Writes `text` to `path` through `path`.tmp and a rename, with `mode`.
Status WriteFileAtomically(const std::string& path, const std::string& text, mode_t mode) {
  std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return Status::IoError(fmt::format("cannot create {}: {}", tmp, std::strerror(errno)));
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int error = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::IoError(fmt::format("cannot write {}: {}", tmp, std::strerror(error)));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::IoError(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return Status::IoError(fmt::format("cannot rename {} to {}: {}", tmp, path, std::strerror(errno)));
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> CertificateFingerprint(const std::string& cert_pem) {
  BIO* bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return Status::InvalidArgument("no PEM certificate: " + TlsErrorText());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  int ok = X509_digest(cert, EVP_sha256(), digest, &length);
  X509_free(cert);
  if (ok != 1) return Status::Internal("X509_digest: " + TlsErrorText());
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    if (i) out.push_back(':');
    out += fmt::format("{:02X}", digest[i]);
  }
  return out;
}

Result<TlsCredentials> MakeSelfSignedCertificate() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return Status::Internal("EC key generation: " + TlsErrorText());
  X509* cert = X509_new();
  bool ok = cert != nullptr;
  if (ok) {
    ok = X509_set_version(cert, 2) == 1;
    // A random positive 127-bit serial.
    unsigned char serial[16];
    ok = ok && RAND_bytes(serial, sizeof(serial)) == 1;
    serial[0] &= 0x7f;
    BIGNUM* bn = ok ? BN_bin2bn(serial, sizeof(serial), nullptr) : nullptr;
    ok = ok && bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != nullptr;
    BN_free(bn);
    ok = ok && X509_gmtime_adj(X509_getm_notBefore(cert), -3600) != nullptr;
    ok = ok && X509_gmtime_adj(X509_getm_notAfter(cert), kValiditySeconds) != nullptr;
    ok = ok && X509_set_pubkey(cert, key) == 1;
    X509_NAME* name = X509_get_subject_name(cert);
    const auto* common_name = reinterpret_cast<const unsigned char*>("localhost");
    ok = ok && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, common_name, -1, -1, 0) == 1;
    ok = ok && X509_set_issuer_name(cert, name) == 1;
    ok = ok && AddExtension(cert, NID_basic_constraints, "critical,CA:TRUE");
    ok = ok && AddExtension(cert, NID_key_usage, "critical,digitalSignature,keyCertSign");
    ok = ok && AddExtension(cert, NID_ext_key_usage, "serverAuth");
    ok = ok && AddExtension(cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    ok = ok && AddExtension(cert, NID_subject_key_identifier, "hash");
    ok = ok && AddExtension(cert, NID_authority_key_identifier, "keyid:always");
    ok = ok && X509_sign(cert, key, EVP_sha256()) > 0;
  }
  TlsCredentials out;
  if (ok) {
    BIO* cert_bio = BIO_new(BIO_s_mem());
    BIO* key_bio = BIO_new(BIO_s_mem());
    ok = PEM_write_bio_X509(cert_bio, cert) == 1 &&
         PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (ok) {
      out.cert_pem = BioText(cert_bio);
      out.key_pem = BioText(key_bio);
    }
    BIO_free(cert_bio);
    BIO_free(key_bio);
  }
  std::string error = ok ? std::string() : TlsErrorText();
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!ok) return Status::Internal("making a self-signed certificate: " + error);
  SLUICE_ASSIGN_OR_RETURN(out.fingerprint, CertificateFingerprint(out.cert_pem));
  out.generated = true;
  return out;
}

Result<TlsCredentials> LoadTlsCredentials(const std::string& cert_file, const std::string& key_file) {
  TlsCredentials out;
  SLUICE_ASSIGN_OR_RETURN(out.cert_pem, ReadFile(cert_file));
  SLUICE_ASSIGN_OR_RETURN(out.key_pem, ReadFile(key_file));
  auto fingerprint = CertificateFingerprint(out.cert_pem);
  if (!fingerprint.ok()) return Status::InvalidArgument(cert_file + ": " + fingerprint.status().message());
  out.fingerprint = *fingerprint;
  out.cert_path = cert_file;
  return out;
}

std::string WriteTemporaryCertificate(const std::string& cert_pem) {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::temp_directory_path(ec);
  if (ec) return {};
  std::string path = (dir / "sluice-tls-XXXXXX.pem").string();
  int fd = ::mkstemps(path.data(), 4);
  if (fd < 0) return {};
  ::fchmod(fd, 0644);
  size_t done = 0;
  while (done < cert_pem.size()) {
    ssize_t n = ::write(fd, cert_pem.data() + done, cert_pem.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  if (done != cert_pem.size()) {
    ::unlink(path.c_str());
    return {};
  }
  return path;
}

Result<TlsCredentials> LoadOrMakeTlsCredentials(const std::string& dir) {
  std::string cert_file = dir + "/cert.pem";
  std::string key_file = dir + "/key.pem";
  std::error_code ec;
  if (std::filesystem::exists(cert_file, ec) && std::filesystem::exists(key_file, ec)) {
    return LoadTlsCredentials(cert_file, key_file);
  }
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IoError(fmt::format("cannot create {}: {}", dir, ec.message()));
  SLUICE_ASSIGN_OR_RETURN(TlsCredentials made, MakeSelfSignedCertificate());
  // The key first: a certificate on disk always has its key beside it.
  SLUICE_RETURN_IF_ERROR(WriteFileAtomically(key_file, made.key_pem, 0600));
  SLUICE_RETURN_IF_ERROR(WriteFileAtomically(cert_file, made.cert_pem, 0644));
  made.cert_path = cert_file;
  return made;
}

}  // namespace sluice::server
