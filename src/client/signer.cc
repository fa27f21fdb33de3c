#include "client/signer.h"

#include "auth/amz_date.h"
#include "auth/signing.h"
#include "http/sigv4_signer.h"

namespace sluice::client {

std::string AuthorizationHeader(const Credentials& credentials, std::string_view region, std::string_view service,
                                std::string_view amz_date, const SigningRequest& request) {
  const http::AwsCredentials aws{credentials.access_key_id, credentials.secret_access_key, credentials.session_token};
  return http::AuthorizationHeader(aws, region, service, amz_date, request.method, request.path, request.query,
                                   request.headers, auth::Sha256Hex(request.body));
}

std::string AmzDate(int64_t epoch_seconds) { return auth::FormatAmzDate(epoch_seconds); }

}  // namespace sluice::client
