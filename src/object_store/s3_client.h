// An ObjectStore on an S3-compatible server (AWS S3, MinIO, Ceph RGW, moto)
// spoken to with the S3 REST API over the shared outbound HTTP client
// (http/http_client.h), signed with Signature Version 4 for service "s3"
// (http/sigv4_signer.h), path-style:
//
//   PUT /<bucket>/<key>   the key URI-encoded per segment, '/' kept
//     Content-Type, Content-Encoding (when given), x-amz-storage-class and
//     x-amz-expected-bucket-owner (when given), x-amz-content-sha256 (the
//     payload's SHA-256), X-Amz-Date, X-Amz-Security-Token (with a session
//     token), Authorization
//
// Errors are S3's XML error answers mapped by object_store/s3_errors.h.
// Each Put is one request; retrying (with back-off) is the caller's, who
// can tell retryable failures with IsRetryableS3Error, ConnectionFailed and
// TimedOut.
//
// Threading: Put and CheckEndpoint may be called from any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "http/http_client.h"
#include "http/sigv4_signer.h"
#include "http/tls_context.h"
#include "object_store/object_store.h"
#include "util/status.h"

namespace sluice::object_store {

struct S3Options {
  std::string endpoint;  // "http[s]://host[:port]", no path
  std::string region = "us-east-1";
  std::string access_key_id, secret_access_key, session_token;
  http::TlsOptions tls;
  int64_t timeout_ms = 30000;
};

class S3Client final : public ObjectStore {
 public:
  // Errors: InvalidArgument (a bad endpoint URL, no access key or secret),
  // TlsFailed (the CA bundle).
  static Result<std::unique_ptr<S3Client>> Create(const S3Options& options);

  // Errors: InvalidArgument for an empty bucket or key, a key over S3's
  // 1024 bytes, or a bucket name holding '/'; then as ObjectStore::Put.
  Status Put(std::string_view bucket, std::string_view key, std::string_view body, const PutOptions& options) override;

  // "s3 <endpoint> (region <region>)".
  std::string Describe() const override;

  // Asks the server to list the buckets (GET /): OK when it answers as S3
  // does, and also when it answers AccessDenied (the credentials are known
  // but may not list buckets, as with policies scoped to one bucket).
  // Errors: ConnectionFailed, TimedOut, TlsFailed (unreachable); AccessDenied
  // (unknown key, wrong secret); BadResponse (not an S3 answer); the rest as
  // s3_errors.h.
  Status CheckEndpoint();

 private:
  S3Client(S3Options options, std::shared_ptr<http::HttpClient> http);
  // Signs and sends `request`; the answer whatever its status.
  Result<http::Response> Send(http::Request request);

  const S3Options options_;
  const std::shared_ptr<http::HttpClient> http_;
};

// S3Client::Create as the interface channels deliver through.
Result<std::unique_ptr<ObjectStore>> MakeS3Client(const S3Options& options);

// "/<bucket>/<key>" with the key URI-encoded as S3 signs it: each byte but
// the unreserved ones (A-Z a-z 0-9 - _ . ~) as %XX, '/' kept.
std::string S3ObjectPath(std::string_view bucket, std::string_view key);

}  // namespace sluice::object_store
