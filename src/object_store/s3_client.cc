#include "object_store/s3_client.h"

#include <fmt/format.h>

#include <utility>

#include "auth/canonical_request.h"
#include "object_store/s3_errors.h"
#include "util/clock.h"

namespace sluice::object_store {
namespace {

// S3's longest object key, in bytes.
constexpr size_t kMaxKeyBytes = 1024;

}  // namespace

std::string S3ObjectPath(std::string_view bucket, std::string_view key) {
  std::string path = "/";
  path += auth::UriEncode(bucket, /*keep_slash=*/false);
  path += '/';
  path += auth::UriEncode(key, /*keep_slash=*/true);
  return path;
}

Result<std::unique_ptr<S3Client>> S3Client::Create(const S3Options& options) {
  if (options.access_key_id.empty() || options.secret_access_key.empty()) {
    return Status::InvalidArgument("S3 endpoint " + options.endpoint +
                                   ": an access key id and a secret access key are needed");
  }
  http::ClientOptions copts;
  copts.url = options.endpoint;
  copts.protocol = http::Protocol::kHttp1;
  copts.tls = options.tls;
  copts.timeout_ms = options.timeout_ms;
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<http::HttpClient> http, http::MakeHttpClient(copts));
  return std::unique_ptr<S3Client>(new S3Client(options, std::move(http)));
}

S3Client::S3Client(S3Options options, std::shared_ptr<http::HttpClient> http)
    : options_(std::move(options)), http_(std::move(http)) {}

Result<http::Response> S3Client::Send(http::Request request) {
  const http::AwsCredentials credentials{options_.access_key_id, options_.secret_access_key, options_.session_token};
  // The real time, not a shifted server clock: S3 refuses signatures more
  // than 15 minutes off.
  const int64_t now_seconds = SystemClock::Instance().NowMillis() / 1000;
  http::SignRequest(credentials, {options_.region, "s3", /*content_sha256_header=*/true}, now_seconds,
                    http_->url().host_header, &request);
  return http_->Send(request);
}

Status S3Client::Put(std::string_view bucket, std::string_view key, std::string_view body, const PutOptions& options) {
  if (bucket.empty() || bucket.find('/') != std::string_view::npos) {
    return Status::InvalidArgument(fmt::format("S3 bucket name '{}' is not valid", bucket));
  }
  if (key.empty() || key.size() > kMaxKeyBytes) {
    return Status::InvalidArgument(
        fmt::format("S3 object key of {} bytes: it must have 1 to {} bytes", key.size(), kMaxKeyBytes));
  }
  http::Request request;
  request.method = "PUT";
  request.target = S3ObjectPath(bucket, key);
  request.headers.emplace_back("Content-Type", options.content_type);
  if (!options.content_encoding.empty()) request.headers.emplace_back("Content-Encoding", options.content_encoding);
  if (options.storage_class) request.headers.emplace_back("x-amz-storage-class", *options.storage_class);
  if (options.expected_owner) request.headers.emplace_back("x-amz-expected-bucket-owner", *options.expected_owner);
  request.body = std::string(body);
  const std::string what = "PUT " + request.target;
  SLUICE_ASSIGN_OR_RETURN(http::Response response, Send(std::move(request)));
  if (response.status / 100 == 2) return Status::Ok();
  return S3ErrorStatus(response.status, response.body, what);
}

Status S3Client::CheckEndpoint() {
  http::Request request;
  request.method = "GET";
  request.target = "/";
  SLUICE_ASSIGN_OR_RETURN(http::Response response, Send(std::move(request)));
  if (response.status == 200) {
    if (response.body.find("<ListAllMyBucketsResult") == std::string::npos) {
      return Status::BadResponse(
          fmt::format("GET / at {}: HTTP 200 without S3's ListAllMyBucketsResult", options_.endpoint));
    }
    return Status::Ok();
  }
  if (XmlElementText(response.body, "Code") == "AccessDenied") return Status::Ok();
  return S3ErrorStatus(response.status, response.body, "GET / at " + options_.endpoint);
}

std::string S3Client::Describe() const { return fmt::format("s3 {} (region {})", options_.endpoint, options_.region); }

Result<std::unique_ptr<ObjectStore>> MakeS3Client(const S3Options& options) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<S3Client> client, S3Client::Create(options));
  return std::unique_ptr<ObjectStore>(std::move(client));
}

}  // namespace sluice::object_store
