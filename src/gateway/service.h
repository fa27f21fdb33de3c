// Service: one AWS protocol served on the gateway's port (Kinesis today;
// DynamoDB's and CloudWatch's calls next). A service owns its wire protocol
// (codecs, operation table, error shapes); the gateway owns everything the
// services share: HTTP, the AWS response headers, CORS, signature
// verification, request counters and request logs.
//
// Adding a service is a folder with a class implementing this interface and
// one Gateway::AddService line in the composition root.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_types.h"
#include "util/status.h"

namespace sluice::gateway {

// How the router recognises a service's requests: by the X-Amz-Target
// prefix of the JSON and CBOR protocols ("Kinesis_20131202."), by the
// path prefix of path-routed protocols
// ("/service/GraniteServiceVersion20100801/"), or by a content type only it
// speaks (the query protocol's "application/x-www-form-urlencoded"). Any
// may be empty.
struct ServiceMatch {
  std::string_view target_prefix;
  std::string_view path_prefix;
  std::string_view content_type = {};
};

// One call handed to a service. Views into the request: valid only during
// Service::Handle.
struct ServiceRequest {
  const server::HttpRequest& http;
  // The operation the route names (the X-Amz-Target after the prefix, up to
  // the next '.', the last segment of a path ".../operation/<Op>", or the
  // Action field of a query-protocol form when the service was picked by
  // content type); empty when there is none, or for the fallback.
  std::string_view operation;
  // The caller's namespace (a verified identity's account and region, or
  // the claimed credential scope's); empty: the service's defaults.
  std::string_view account;
  std::string_view region;
  // When set, the service stores there the resource the call names (the
  // Kinesis stream), for request logs; left empty when it names none.
  std::string* resource = nullptr;
};

// A service's answer; the gateway adds the AWS response headers
// (x-amzn-RequestId, x-amz-id-2, x-amzn-ErrorType from `error_type`, CORS).
struct ServiceResponse {
  int status = 200;
  std::string content_type;
  std::string error_type;  // the exception's name on errors, else empty
  std::string body;        // ignored when `streaming` is set
  // Headers of the service's protocol (smithy-protocol, x-amzn-query-error).
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<server::StreamingBody> streaming;
  // Close the connection instead of answering (injected faults).
  bool drop_connection = false;
};

// Completes a call: exactly once, from any thread.
using ServiceResponder = std::function<void(ServiceResponse)>;

// Implementations are thread-safe: Handle and Error are called concurrently
// from every event loop.
class Service {
 public:
  virtual ~Service() = default;

  // A short name for logs ("kinesis").
  virtual std::string_view name() const = 0;
  virtual ServiceMatch match() const = 0;
  // The service name clients sign as in their SigV4 credential scope
  // ("kinesis", "dynamodb", "monitoring").
  virtual std::string_view signing_name() const = 0;
  // The operations of the service's model, counted by name in
  // sluice_requests_total; any other name is counted as "unknown".
  virtual std::vector<std::string> operations() const = 0;

  // Answers one call; `respond` may run later on another thread.
  virtual void Handle(const ServiceRequest& request, ServiceResponder respond) = 0;
  // `error` in the service's shape for `request` (its codec), the wire name
  // and HTTP status from the service's own error table. The gateway asks this
  // for a failed signature check (the authentication codes of auth/sigv4.h).
  virtual ServiceResponse Error(const server::HttpRequest& request, const Status& error) const = 0;
};

}  // namespace sluice::gateway
