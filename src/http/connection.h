// One connection to one server, kept open across requests, one request at a
// time: the unit an HttpClient pools. Http1Connection and Http2Connection
// (http1_connection.h, http2_connection.h) are the two kinds.
//
// Threading: one thread at a time per connection.
#pragma once

#include <cstdint>

#include "http/message.h"
#include "http/response_parser.h"
#include "http/socket.h"
#include "util/status.h"

namespace sluice::http {

struct ExchangeOptions {
  // Longest wait for the next answer byte.
  int64_t idle_timeout_ms = 30000;
  // Asked every 100 ms while waiting; true ends the call with Cancelled.
  StopFn stop;
  // Non-null: the body goes here as it arrives (a response that streams for
  // as long as the call lasts) and response->body stays empty.
  BodySink* sink = nullptr;
};

class Connection {
 public:
  virtual ~Connection() = default;

  // Connects if needed, sends `request` and fills *response (status and
  // headers, and the body unless options.sink takes it) once the answer is
  // complete. `*got_bytes` tells whether any answer byte arrived (a stale
  // keep-alive connection fails with none). The connection is closed after
  // any error and after an answer that does not keep it open.
  // Errors: ConnectionFailed, TimedOut, TlsFailed, BadResponse, Cancelled.
  virtual Status Exchange(const Request& request, const ExchangeOptions& options, Response* response,
                          bool* got_bytes) = 0;

  // Open (a socket that may be reused).
  virtual bool connected() const = 0;
  virtual void Close() = 0;
};

}  // namespace sluice::http
