// The outbound HTTP client of Sluice: requests to one server (a Kinesis
// endpoint, S3-compatible storage, another node) over pooled keep-alive
// connections, HTTP/1.1 or HTTP/2, plain or TLS.
//
// Each call takes an idle connection from the pool or opens one, and gives
// it back after a complete answer that keeps it open. A call that fails on a
// reused connection before any answer byte arrived is retried once on a new
// connection (the server may have closed it while it was idle). Signing is
// the caller's (sigv4_signer.h), before Send.
//
// Threading: Send and Stream may be called from any number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "http/connection.h"
#include "http/message.h"
#include "http/tls_context.h"
#include "http/url.h"
#include "util/status.h"

namespace sluice::http {

enum class Protocol {
  kHttp1,  // HTTP/1.1 keep-alive (ALPN "http/1.1" over TLS)
  kHttp2,  // h2c with prior knowledge over http://, ALPN "h2" over https://
};

struct ClientOptions {
  std::string url;  // "http[s]://host[:port]", see ParseUrl
  Protocol protocol = Protocol::kHttp1;
  TlsOptions tls;
  // Connecting, sending, and each wait for answer bytes (Send).
  int64_t timeout_ms = 30000;
  // Idle connections kept for reuse; more are closed.
  size_t max_idle_connections = 64;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;

  // The whole answer, whatever its status; an error only when no complete
  // answer arrived. Errors: ConnectionFailed, TimedOut, TlsFailed, BadResponse.
  virtual Result<Response> Send(const Request& request) = 0;

  // For answers that stream (event streams): the body goes to options.sink
  // as it arrives, with options' idle timeout and stop condition; returns
  // once the answer ends, with its status and headers. Errors as Send's, and
  // Cancelled when options.stop ended it.
  virtual Result<Response> Stream(const Request& request, const ExchangeOptions& options) = 0;

  virtual const Url& url() const = 0;
};

// Errors: InvalidArgument (a bad URL), TlsFailed (the CA bundle).
Result<std::shared_ptr<HttpClient>> MakeHttpClient(const ClientOptions& options);

}  // namespace sluice::http
