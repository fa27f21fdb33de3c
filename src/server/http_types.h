// The server's view of a request and a response, the same for HTTP/1.1 and
// HTTP/2. The server knows nothing of Kinesis: it hands each request to a
// Handler and writes whatever HttpResponse comes back.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::server {

struct HttpHeader {
  std::string_view name;  // lower-case
  std::string_view value;
};

// Valid only for the duration of the Handler call: copy what you keep.
struct HttpRequest {
  std::string_view method;
  std::string_view target;  // request target: path and query ("/", "/health")
  int http_major = 1;       // 1 or 2
  std::vector<HttpHeader> headers;
  std::string_view body;

  // First value of header `lower_name`, or "" when absent.
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& h : headers)
      if (h.name == lower_name) return h.value;
    return {};
  }
};

// The body of a streamed response, written over time (SubscribeToShard's
// event stream). Thread-safe: any thread may write; the bytes go out on the
// connection's loop, in order (HTTP/1.1: a chunk per Write, small ones
// possibly coalesced; HTTP/2: DATA frames). The writer may be kept after the
// connection or the whole server is gone: every call is then a harmless
// no-op (Write returns false).
class BodyWriter {
 public:
  virtual ~BodyWriter() = default;
  // Appends `bytes` to the body. Returns false (dropping them) once the
  // stream is closed: finished, client gone, or server shutting down. An
  // empty Write sends nothing.
  virtual bool Write(std::string bytes) = 0;
  // Ends the body (HTTP/1.1: the last chunk, the connection stays usable;
  // HTTP/2: END_STREAM) once the bytes written before it are out.
  // Idempotent.
  virtual void Finish() = 0;
  // Bytes accepted by Write but not yet handed to the socket (or, on HTTP/2,
  // not yet framed as DATA: the peer's flow-control windows hold them back).
  // A producer keeps this bounded: it stops writing once this reaches its
  // limit and resumes from StreamingBody::on_drain. Drops to 0 once closed
  // without Finish.
  virtual size_t BufferedBytes() const = 0;
  // True after Finish, and after the stream closed (then on_close ran or is
  // about to run on the loop).
  virtual bool closed() const = 0;
};

// Makes a response streamed: the server sends the status and headers (no
// Content-Length; HTTP/1.1 uses Transfer-Encoding: chunked, HTTP/1.0 sends
// the body unframed and closes the connection after it), then calls
// `on_start` with the writer. Every callback runs on the connection's loop
// thread and may be empty; a callback may call the writer (what it writes
// goes out after it returns) but must not block.
//
// A response to HEAD sends the headers only and never calls on_start. A
// response dropped before it started (the client went away first, or the
// server is shutting down) calls nothing: the StreamingBody is just
// released, so resources its callbacks hold are freed with it. Once on_start
// ran, exactly one of Finish (by the producer) or on_close ends the stream.
//
// The writer does not own this object, so callbacks may hold the writer
// without a reference cycle; the server releases it when the stream ends.
struct StreamingBody {
  std::function<void(std::shared_ptr<BodyWriter>)> on_start;
  // After BufferedBytes() reached `drain_threshold` (or more) in a Write and
  // then fell below it again, or to 0 (the client read what was queued).
  // Not called once closed. It may come before the producer noticed it
  // should wait: a producer that stops at BufferedBytes() >= the threshold
  // re-checks a drain count (or BufferedBytes) before it blocks.
  std::function<void()> on_drain;
  size_t drain_threshold = 256u << 10;
  // Once, when the stream closes without Finish: the client went away (or
  // reset the HTTP/2 stream), or the server is shutting down (Shutdown does
  // not wait for streams). Not called after Finish, even if the client
  // leaves before the last bytes went out.
  std::function<void()> on_close;
};

struct HttpResponse {
  int status = 200;
  // The server adds Content-Length (HTTP/1.1), Date and Connection itself.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // ignored when `streaming` is set
  std::shared_ptr<StreamingBody> streaming;
  // Close the connection instead of answering (injected faults): HTTP/1.1
  // once the responses before this one are written, HTTP/2 at once (every
  // stream of the connection is lost with it).
  bool abort_connection = false;
};

// Completes a request. Callable from any thread, exactly once. Calling it
// after the client went away is harmless (the response is dropped).
using Responder = std::function<void(HttpResponse)>;

// Called on an event-loop thread for each complete request.
using Handler = std::function<void(const HttpRequest&, Responder)>;

}  // namespace sluice::server
