// The one seam between the client's logic and the network: a Kinesis JSON
// 1.1 call (POST / with X-Amz-Target Kinesis_20131202.<operation>).
// MakeHttpTransport gives the real one; tests script their own.
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

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends one call and returns the HTTP answer, whatever its status; an
  // Error only when no answer arrived. Thread-safe.
  virtual Outcome<HttpReply> Call(std::string_view operation, std::string_view body) = 0;
};

// Signed HTTP/1.1 over keep-alive connections (TLS for https://), pooled:
// each concurrent call takes an idle connection or opens one. A call that
// fails on a reused connection before any answer byte arrived is retried
// once on a new connection (the server may have closed it while idle).
Outcome<std::shared_ptr<Transport>> MakeHttpTransport(const ClientConfig& config);

}  // namespace sluice::client
