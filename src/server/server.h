// Server: accepts TCP connections and speaks HTTP/1.1 (keep-alive, pipelining
// answered in order) and HTTP/2 cleartext with prior knowledge (the 24-byte
// preface is sniffed on each new connection) on one port.
//
// TLS (ServerOptions::tls, off by default): on the same port, a connection
// whose first byte is 0x16 (a TLS handshake record, peeked) is served over
// TLS and any other stays plain; or, with tls.separate_port, a second port
// serves TLS only. OpenSSL runs non-blocking on the loop's socket; ALPN picks
// HTTP/2 ("h2") or HTTP/1.1 ("http/1.1", or no ALPN), and the same connection
// code serves both over a Transport (plain socket or TLS session). The
// handshake must finish within header_timeout_ms; a failed handshake is
// logged at debug level and closes only its connection.
//
// Threading: `threads` event loops, each an epoll instance, sharing one
// listening socket per port (not SO_REUSEPORT, so a second server on the
// port fails with "Address already in use"); accepted connections are spread
// round robin over the loops, and one lives on its loop for its whole life.
// Out of descriptors, idle keep-alive connections (HTTP/1.1 or HTTP/2) are
// closed to make room, or the client is answered 503 (event_loop.h).
// Handlers run on the loop thread; a Responder may be called from any thread
// (it posts the response to the connection's loop through an eventfd), and
// so may a streamed response's BodyWriter (below).
//
// Limits: bodies above `max_body_bytes` get 413 without being buffered;
// headers above `max_header_bytes` get 431 (these and the other answers the
// server gives itself are in the AWS JSON error shape, error_response.h;
// HTTP/1.1 lines must end in CRLF, a bare LF gets 400); a connection that sends nothing
// for `idle_timeout_ms`, or does not finish its headers within
// `header_timeout_ms` (slowloris), is closed; a body not in within
// `body_timeout_ms` of its headers gets 408. All connections together hold
// at most about `max_buffered_bytes` of bodies and unsent answers
// (MemoryBudget): a body that does not fit gets 503, and a streamed response
// whose client stopped reading is ended while the budget is exceeded. No timeout runs while a request
// only waits for its handler, nor while a response is being streamed.
//
// Back-pressure: a connection stops taking new requests while its answered
// but unsent responses are large (HTTP/1.1: 16 MiB, and at most 64 pipelined
// requests; HTTP/2: 32 MiB with buffered request bodies, which are also
// flow-controlled against it), so a client that does not read, or keeps its
// HTTP/2 window closed, cannot make the server buffer without bound.
// Streamed bodies are bounded by their producer instead (BufferedBytes and
// on_drain); they never hold up other HTTP/2 streams, and on HTTP/1.1 only
// delay the responses pipelined behind them.
//
// Responses: the server adds Content-Length, Date and (HTTP/1.x) Connection;
// on HTTP/2 header names are sent lower-cased and the request's :authority
// is also offered to the handler as a `host` header.
//
// Streamed responses (HttpResponse::streaming, for SubscribeToShard's event
// stream): the head goes out without a length (HTTP/1.1: chunked; HTTP/2:
// HEADERS without END_STREAM), then on_start gets a BodyWriter. Write and
// Finish may be called from any thread: they queue the bytes in a shared
// StreamChannel and wake the loop once per burst through the same mailbox
// as Responders; the loop frames what is queued (HTTP/1.1 chunks; HTTP/2
// DATA through an nghttp2 data provider that defers when the channel is
// empty and is resumed by the wakeup). The producer bounds its own buffer
// with BufferedBytes() and on_drain; the server only reports. HTTP/1.1
// requests pipelined behind a stream are dispatched but answered after it
// finishes; HTTP/2 streams beside it are served as usual. Client disconnect,
// RST_STREAM and Shutdown call on_close; Shutdown does not wait for a stream
// (HTTP/1.1: the connection closes; HTTP/2: RST_STREAM CANCEL, then GOAWAY).
//
// Files: event_loop (epoll, timers, connection table), loop_mailbox
// (cross-thread wakeups), connection (base: deadlines, responders),
// transport (plain socket I/O), http1_parser (pure parsing),
// http1_connection (sniffing, pipelining), http2_connection (nghttp2
// session), stream_channel (a streamed body's writer, shared with its
// producer), tls_context (the OpenSSL context, ALPN), tls_transport (a TLS
// session as a Transport), tls_handshake_connection (a handshake under way),
// tls_certificate (PEM files, the self-signed certificate), listener
// (sockets), descriptor_reserve (the spare descriptor for 503s),
// error_response (the server's own error answers), server.cc.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "server/http_types.h"
#include "util/status.h"

namespace sluice::server {

// TLS (off unless `enabled`): PEM text of the certificate chain and its key
// (tls_certificate.h loads or makes them).
struct TlsOptions {
  bool enabled = false;
  // false: TLS and plain HTTP share `port` (the first byte decides);
  // true: TLS only on `port` below (0 = pick a free one, see tls_port()),
  // and `ServerOptions::port` stays plain.
  bool separate_port = false;
  uint16_t port = 0;
  std::string cert_pem;
  std::string key_pem;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 4567;  // 0 = pick a free port (see Server::port())
  int threads = 1;
  uint64_t max_body_bytes = 16ull << 20;
  uint32_t max_header_bytes = 64u << 10;
  int64_t header_timeout_ms = 30'000;
  int64_t idle_timeout_ms = 120'000;
  // A request body must arrive whole within this time after its headers
  // (nginx's client_body_timeout, as a whole-body deadline); else 408 and,
  // on HTTP/1.1, the connection closes. 0: no deadline.
  int64_t body_timeout_ms = 30'000;
  // Bytes of request bodies and unsent answers all connections together
  // may hold (see memory_budget.h); 0: no limit. Over it, new bodies get
  // 503 and streamed responses whose client stopped reading are ended.
  uint64_t max_buffered_bytes = 256ull << 20;
  TlsOptions tls;
};

// Connections open now, by protocol and transport.
struct OpenConnections {
  int64_t http1 = 0;
  int64_t http1_tls = 0;
  int64_t http2 = 0;
  int64_t http2_tls = 0;
};

class Server {
 public:
  // Binds and listens (errors: IoError naming the address; InvalidArgument
  // when TLS is on and its certificate or key is refused).
  static Result<std::unique_ptr<Server>> Create(const ServerOptions& options, Handler handler);
  ~Server();

  // The bound port (useful with port 0).
  uint16_t port() const;
  // The port TLS is served on: port() unless TLS has a separate port; 0
  // when TLS is off.
  uint16_t tls_port() const;

  // Starts the event-loop threads and returns. Connections that arrive
  // before Start() wait in the listen backlog.
  void Start();
  // Stops accepting, lets in-flight requests finish and their responses be
  // written (up to `drain_ms`), closes every connection, joins the threads.
  // Idle keep-alive connections close at once; HTTP/2 clients get GOAWAY.
  // Streamed responses are not waited for: they end at once (on_close).
  // Idempotent; the destructor calls Shutdown(0). Call it from any thread
  // except an event-loop thread (a Handler must not call it: it would wait
  // for its own thread).
  void Shutdown(int64_t drain_ms = 5000);

  // Open HTTP connections (a TLS handshake under way is not counted yet).
  OpenConnections Connections() const;

 private:
  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::server
