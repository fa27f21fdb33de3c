#include "cli/object_store_setup.h"

#include <algorithm>
#include <cstdlib>

#include "object_store/local_directory.h"
#include "object_store/s3_client.h"
#include "util/log.h"

namespace sluice::cli {
namespace {

std::string Environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// The startup check waits at most this long, so that an endpoint that drops
// packets delays the server by seconds, not by a whole upload's timeout.
constexpr int64_t kCheckTimeoutMs = 5000;

}  // namespace

Result<std::shared_ptr<object_store::ObjectStore>> OpenObjectStore(const ServeConfig& config) {
  if (config.s3_endpoint.empty()) {
    return std::shared_ptr<object_store::ObjectStore>(
        std::make_shared<object_store::LocalDirectory>(object_store::LocalBucketsPath(config.data_dir)));
  }
  object_store::S3Options options;
  options.endpoint = config.s3_endpoint;
  options.region = config.s3_region.empty() ? config.region : config.s3_region;
  options.access_key_id = Environment("AWS_ACCESS_KEY_ID");
  options.secret_access_key = Environment("AWS_SECRET_ACCESS_KEY");
  options.session_token = Environment("AWS_SESSION_TOKEN");
  options.tls.ca_file = config.s3_ca_bundle;
  if (options.access_key_id.empty() || options.secret_access_key.empty()) {
    return Status::InvalidArgument(
        "--s3-endpoint needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
  }
  object_store::S3Options check_options = options;
  check_options.timeout_ms = std::min(options.timeout_ms, kCheckTimeoutMs);
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<object_store::S3Client> check, object_store::S3Client::Create(check_options));
  const Status reachable = check->CheckEndpoint();
  if (reachable.code() == ErrorCode::kConnectionFailed || reachable.code() == ErrorCode::kTimedOut) {
    log::Warn("channels deliver to {}, which does not answer now ({}); delivery retries", check->Describe(),
              reachable.ToString());
  } else if (!reachable.ok()) {
    return Status(reachable.code(), "--s3-endpoint " + config.s3_endpoint + ": " + reachable.message());
  } else {
    log::Info("channels deliver to {}, which answers as S3 (access key {})", check->Describe(), options.access_key_id);
  }
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<object_store::ObjectStore> store, object_store::MakeS3Client(options));
  return std::shared_ptr<object_store::ObjectStore>(std::move(store));
}

}  // namespace sluice::cli
