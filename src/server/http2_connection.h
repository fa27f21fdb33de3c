// Http2Connection: HTTP/2 on one socket, cleartext with prior knowledge or
// over TLS after ALPN chose "h2" (through the connection's Transport), driven
// by an nghttp2 server session. nghttp2 does the framing, HPACK, stream
// states and flow control; this class moves bytes between the socket and the
// session and turns each request stream into an HttpRequest for the Handler.
//
// Many streams run concurrently; each is answered when its Responder fires,
// in any order. A stream whose body passes max_body_bytes (by its
// content-length header or by the DATA received) is answered 413 at once and
// the rest of its body discarded; a header block above max_header_bytes gets
// 431. A stream the client resets is forgotten, and its late response
// dropped. Request bodies are buffered per stream; the server advertises a
// 1 MiB stream window and 16 MiB connection window so bodies flow without
// waiting on WINDOW_UPDATE round trips.
//
// Memory: a connection keeps at most about kMaxBufferedBytes of request
// bodies, unsent response bodies and queued output (plus one response, and
// the responses of requests already in a handler's hands):
//  - request bodies are flow-controlled by hand: stream windows reopen as
//    DATA arrives, but the connection window reopens only while the bytes
//    buffered plus the bytes the client may still send stay within the
//    budget, so a client cannot push more than that;
//  - a complete request is not dispatched while the budget is exceeded by
//    response bytes (a client that never opens its flow-control window
//    stops getting its requests handled); it waits, in arrival order, until
//    responses drain. The socket is still read while only flow control holds
//    responses back, since the WINDOW_UPDATE that frees them arrives there;
//    it is not read while the output queue is full (the client does not
//    read).
// Header blocks are bounded separately (max_header_bytes per stream, 256
// concurrent streams). Buffered bodies whose streams cannot complete within
// the budget stall until the idle timeout closes the connection.
// Server-wide, request bodies are admitted against the MemoryBudget (their
// content-length when the headers are in, then the DATA beyond it as it
// arrives): one that does not fit is answered 503 (the server options'
// refusal) and the rest of it discarded. Unsent response bytes, streamed
// ones included, are charged to it too. A body not complete within
// body_timeout_ms of its headers is answered 408, and the stream then reset
// with NO_ERROR (RFC 9113 8.1), so it closes instead of staying half-open.
//
// Streamed responses (HttpResponse::streaming): HEADERS go without
// END_STREAM and without content-length, and the body is a data provider
// reading from the stream's StreamChannel. When the channel is empty the
// provider returns NGHTTP2_ERR_DEFERRED; the producer's next Write or Finish
// wakes the loop (OnStreamWake), which calls nghttp2_session_resume_data and
// flushes. nghttp2 calls the provider only while the peer's windows allow,
// so bytes the client does not let out stay in the channel and count in its
// BufferedBytes(). Streamed bytes are not part of the connection budget:
// other streams keep being served. While a stream is being produced the
// connection has no idle deadline, only the stall check: a streamed stream
// whose client took none of its bytes for kStallCheckNs while the
// server-wide budget is exceeded is reset (RST_STREAM CANCEL, logged). RST_STREAM from the client, the
// connection closing, or a server drain (which resets streamed streams with
// CANCEL at once) call on_close.
//
// Threading: loop thread only (see Connection).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nghttp2/nghttp2.h>

#include "server/connection.h"
#include "server/memory_budget.h"
#include "server/output_queue.h"
#include "server/stream_channel.h"

namespace sluice::server {

class Http2Connection final : public Connection {
 public:
  // Per-connection budget for buffered request bodies, unsent response
  // bodies and queued output. Large enough for a 16 MiB request body next
  // to a full 16 MiB connection window, small enough that a thousand
  // hostile connections cannot exhaust a host.
  static constexpr size_t kMaxBufferedBytes = 32u << 20;

  // `transport`: null for a plain socket (h2c), else the TLS session that
  // negotiated "h2".
  Http2Connection(EventLoop* loop, uint64_t id, int fd, std::unique_ptr<Transport> transport = nullptr);
  ~Http2Connection() override;

  // Sends the server SETTINGS and feeds the bytes already read (the preface
  // and whatever followed it).
  void Start(std::string_view initial_bytes);

  void OnEvents(uint32_t events) override;
  void Complete(uint64_t tag, HttpResponse response) override;
  void BeginDrain() override;
  // No stream open and nothing to send: a GOAWAY (BeginDrain) loses nothing.
  bool Idle() const override;
  void OnDeadline() override;
  void OnStreamWake(uint64_t tag) override;

  // nghttp2 callback trampolines (public for the callback table only).
  struct Stream;
  static int OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t name_length,
                      const uint8_t* value, size_t value_length, uint8_t flags, void* self);
  static int OnDataChunk(nghttp2_session*, uint8_t flags, int32_t stream_id, const uint8_t* data, size_t length,
                         void* self);
  static int OnFrameReceived(nghttp2_session*, const nghttp2_frame* frame, void* self);
  static int OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* self);
  static int OnFrameSent(nghttp2_session*, const nghttp2_frame* frame, void* self);
  // The response-body reader took `n` bytes of a stream's response.
  void OnResponseBytesSent(size_t n) { response_bytes_ -= n; }

 protected:
  void OnClosed() override;

 private:
  // Feeds received bytes to the session; false when the connection closed.
  bool Receive(const uint8_t* data, size_t length);
  bool ReadInput();
  void Dispatch(Stream* stream);
  void RespondError(Stream* stream, int status);
  // The server's refusal answer (503, 408), logged; the body is dropped.
  void RespondRefusal(Stream* stream, int status, std::string_view message);
  // Frees a stream's request body and gives back its budget.
  void ReleaseBody(Stream* stream);
  // Answers 408 to streams whose body is late; true when there were some.
  bool RefuseLateBodies();
  // Resets streamed streams whose client stalls while the budget is
  // exceeded (see the header).
  void CheckStalledStreams();
  void Submit(Stream* stream, HttpResponse response);
  // Moves session output to the socket; may close the connection.
  void Flush();
  void UpdateInterestAndDeadline();
  // Flushes, dispatches waiting requests the budget allows, reopens the
  // connection window as far as the budget allows, and re-arms.
  void Progress();
  // Dispatches queued complete requests while the budget allows.
  void DispatchWaiting();
  // Whether a complete request may be handed to the handler now.
  bool MayDispatch() const;
  // Reopens as much of the connection receive window as the budget allows.
  void ReleaseConnectionWindow();
  size_t BufferedBytes() const { return body_bytes_ + response_bytes_ + out_.bytes(); }
  // Starts a streamed response (HEADERS now, DATA from the channel).
  void SubmitStreamed(Stream* stream, std::vector<nghttp2_nv>& nva, std::shared_ptr<StreamingBody> body);
  // Calls on_drain for streams whose channel drained, and on_close for
  // streams ended since the last call (collected, so no user code runs
  // inside an nghttp2 callback or while streams_ is walked).
  void RunStreamCallbacks();
  // Aborts every streamed stream still being produced (on_close).
  void AbortAllStreams();
  // Streams still owed something: a response, or a body not yet finished.
  size_t LiveStreamCount() const;

  nghttp2_session* session_ = nullptr;
  std::unordered_map<int32_t, std::unique_ptr<Stream>> streams_;
  std::deque<int32_t> waiting_;  // complete requests held back by the budget
  OutputQueue out_;
  size_t body_bytes_ = 0;        // request body bytes held by streams
  size_t response_bytes_ = 0;    // response body bytes not yet framed
  size_t unconsumed_bytes_ = 0;  // DATA received but not yet returned to the connection window
  bool in_recv_ = false;
  bool dispatching_ = false;
  bool draining_ = false;
  bool abort_pending_ = false;  // a response asked for the connection to be dropped
  int64_t last_activity_ns_ = 0;
  size_t streamed_ = 0;                                     // streams with a streamed response, not yet closed
  int64_t stall_checked_ns_ = 0;                            // 0: no streamed bytes waiting on the client
  BudgetShare body_share_;                                  // request bodies (Stream::budgeted)
  BudgetShare response_share_;                              // BufferedBytes() - body_bytes_, plus streamed bytes held
  std::vector<std::shared_ptr<StreamingBody>> owed_close_;  // on_close to call
};

}  // namespace sluice::server
