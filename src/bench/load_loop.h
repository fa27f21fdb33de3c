// The load generator's engine: many keep-alive HTTP/1.1 connections driven
// by one thread with epoll, one outstanding request per connection.
//
// A LoopHandler decides what each idle connection sends next and sees every
// response. Requests are views: the bytes must stay alive and unchanged
// until that connection's response arrives (a handler typically points at
// buffers built before the run, or at a per-connection buffer it rebuilds
// only when that connection is idle). Nothing is allocated per request
// beyond what the handler does; response bodies land in a per-connection
// buffer that keeps its capacity.
//
// Threading: a LoadLoop and its handler are used by one thread.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/response_parser.h"
#include "util/status.h"

namespace sluice::bench {

// The response parser is the outbound HTTP library's (src/http).
using http::BodySink;
using http::ResponseParser;

struct Endpoint {
  std::string host_header;  // "127.0.0.1:4567", sent as Host
  sockaddr_in addr{};
};

// Parses "http://<ipv4 or localhost>:<port>[/]"; InvalidArgument otherwise.
Result<Endpoint> ParseEndpoint(std::string_view url);

// What an idle connection does next.
struct Next {
  std::string_view request;  // non-empty: send this now
  int64_t wake_at_ns = 0;    // request empty: ask again at this MonotonicNanos();
                             // 0 with an empty request: this connection is finished
  // Non-null: the response body goes here piece by piece as it arrives (see
  // ResponseParser::set_body_sink) rather than to the response's body(). For
  // streaming responses, which may last longer than the run: OnResponse
  // comes only when the stream ends, and one still open when Run() returns
  // is abandoned like any request in flight.
  BodySink* body_sink = nullptr;
};

class LoopHandler {
 public:
  virtual ~LoopHandler() = default;
  // Asked for connection `conn` whenever it is idle (at start, after each
  // response, and at its wake time).
  virtual Next NextRequest(int conn, int64_t now_ns) = 0;
  // A complete response to the request `conn` sent; latency is from the
  // start of sending to the end of the response.
  virtual void OnResponse(int conn, const ResponseParser& response, int64_t now_ns, int64_t latency_ns) = 0;
  // The request in flight on `conn` failed below HTTP (reset, malformed
  // response). The connection is reopened and asked again.
  virtual void OnTransportError(int conn, std::string_view what) = 0;
  // Checked once per loop turn; true ends Run().
  virtual bool Done(int64_t now_ns) { return false; }
};

class LoadLoop {
 public:
  LoadLoop(const Endpoint& endpoint, int connections);
  ~LoadLoop();
  LoadLoop(const LoadLoop&) = delete;
  LoadLoop& operator=(const LoadLoop&) = delete;

  // Opens every connection. ConnectionFailed if any cannot connect, IoError
  // if a socket or the epoll set cannot be made.
  Status Open();

  // Runs until every connection is finished and idle, handler->Done(), or
  // `deadline_ns` (MonotonicNanos). Requests still in flight at the end are
  // abandoned (their connections are closed). Not OK only when the loop
  // itself cannot continue: IoError (epoll failure), ConnectionFailed (a
  // connection that cannot be reopened, too many transport errors).
  Status Run(LoopHandler* handler, int64_t deadline_ns);

  int connections() const { return static_cast<int>(conns_.size()); }
  // Requests abandoned in flight by the last Run().
  uint64_t abandoned() const { return abandoned_; }

 private:
  struct Conn {
    int fd = -1;
    std::string_view out;
    size_t sent = 0;
    bool busy = false;
    bool finished = false;
    bool want_write = false;
    int64_t wake_at = 0;
    int64_t start_ns = 0;
    ResponseParser parser;
  };

  Status Connect(int i);
  void Close(int i);
  // Closes a connection and forgets its request; Ask() reconnects it when it
  // next has something to send.
  void Drop(int i);
  // Asks the handler for the next request of an idle connection and starts it.
  Status Ask(int i, int64_t now);
  Status TrySend(int i);
  Status OnReadable(int i);
  Status Fail(int i, std::string_view what);
  void SetWriteInterest(int i, bool on);

  Endpoint endpoint_;
  std::vector<Conn> conns_;
  int epfd_ = -1;
  LoopHandler* handler_ = nullptr;
  std::unique_ptr<char[]> rbuf_;
  uint64_t transport_errors_ = 0;
  uint64_t abandoned_ = 0;
};

// The answer to Call(): any HTTP status, with its body.
struct CallResponse {
  int status = 0;
  std::string body;
};

// One request on a fresh connection, for setup and teardown calls.
// ConnectionFailed (or what Run() returns) on transport failure, TimedOut
// when no response came before `timeout_ns`.
Result<CallResponse> Call(const Endpoint& endpoint, std::string_view request, int64_t timeout_ns);

}  // namespace sluice::bench
