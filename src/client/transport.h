// The one seam between the client's logic and the network: a call of an AWS
// JSON API on the endpoint (POST / with X-Amz-Target <prefix>.<operation>):
// Kinesis (JSON 1.1), DynamoDB (JSON 1.0) for a KCL application's lease
// table, or Sluice's consumer groups (JSON 1.1). MakeHttpTransport gives the real one; tests script their own.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "client/config.h"
#include "client/types.h"

namespace sluice::client {

struct HttpReply {
  int status = 0;
  std::string body;
};

// How one AWS JSON API is called: its X-Amz-Target prefix, content type and
// SigV4 signing name.
struct JsonApi {
  std::string_view target_prefix;
  std::string_view content_type;
  std::string_view signing_name;
};
inline constexpr JsonApi kKinesisApi{"Kinesis_20131202", "application/x-amz-json-1.1", "kinesis"};
inline constexpr JsonApi kDynamoDbApi{"DynamoDB_20120810", "application/x-amz-json-1.0", "dynamodb"};
// Sluice's own operations (consumer groups, docs/consumer-groups.md), signed as Kinesis calls.
inline constexpr JsonApi kSluiceApi{"Sluice_20261207", "application/x-amz-json-1.1", "kinesis"};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one call and returns the HTTP answer, whatever its status; an
  // Error only when no answer arrived. Thread-safe.
  virtual Outcome<HttpReply> CallApi(const JsonApi& api, std::string_view operation, std::string_view body) = 0;
  // A Kinesis call.
  Outcome<HttpReply> Call(std::string_view operation, std::string_view body) {
    return CallApi(kKinesisApi, operation, body);
  }
};

// Signed HTTP/1.1 over keep-alive connections (TLS for https://), pooled:
// each concurrent call takes an idle connection or opens one. A call that
// fails on a reused connection before any answer byte arrived is retried
// once on a new connection (the server may have closed it while idle).
Outcome<std::shared_ptr<Transport>> MakeHttpTransport(const ClientConfig& config);

}  // namespace sluice::client
