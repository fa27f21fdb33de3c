// Http1Connection: HTTP/1.1 (and 1.0) on one socket, and the protocol sniffer
// every accepted connection starts as: if the first 24 bytes are the HTTP/2
// preface the socket is handed to an Http2Connection (EventLoop::SwitchToHttp2).
// With TLS on the same port, a first byte of 0x16 (peeked, not read) hands
// the socket to a TlsHandshakeConnection instead. Over TLS the connection
// reads and writes through the session (Transport), and the rest is the same.
//
// Requests are parsed with Http1Parser straight from the read buffer and
// dispatched as soon as complete, several per read when pipelined. Each
// request gets a response slot in a FIFO; responses are written strictly in
// slot order, whatever order the handlers complete in. A handler that
// completes synchronously on the loop thread is written without a queue
// round trip, batched with the responses of the same read.
//
// Back-pressure: parsing (and so dispatching) stops, and the socket is no
// longer read, while kMaxPipelined responses are pending or while answered
// but unwritten responses (ready slots plus the output queue) hold
// kMaxPendingOutput bytes or more; it resumes once writes bring them down. A
// client that pipelines requests for large responses and never reads thus
// costs about kMaxPendingOutput plus one response, not one response per
// request. Unread requests wait in the kernel's receive buffer.
//
// Errors: bad syntax 400, oversized headers 431, oversized body 413 (answered
// as soon as the headers are in, the body is never read), a body the
// server-wide memory budget has no room for 503 (from its Content-Length,
// or as its chunked bytes arrive), then the connection closes after a short
// lingering drain of unread input. Every such answer has the AWS error
// shape (error_response.h).
// Timeouts: header_timeout_ms from the first byte of a request (or from
// accept) to the end of its headers; body_timeout_ms from the end of the
// headers to the end of the body (then 408); idle_timeout_ms without
// progress otherwise; none while only waiting for a handler.
//
// Memory: the body being read is charged to the budget (body_share_), and
// so are answered but unwritten bytes (output_share_). The read buffer is
// freed when it is empty and grew past kIdleBufferKeep.
//
// Streamed responses (HttpResponse::streaming): when its slot reaches the
// front, the head goes out with Transfer-Encoding: chunked (HTTP/1.0: no
// framing, and the connection closes after the body) and on_start gets a
// StreamChannel. Each wakeup from the producer moves everything it wrote
// into the output queue as chunks (small pieces coalesced, large ones moved
// without copying); Finish adds the last chunk, after which the slots behind
// it (pipelined requests, dispatched meanwhile) are written in order. While
// the stream is open no timeout runs, except the stall check: when the
// client has taken nothing for kStallCheckNs while the memory budget is
// exceeded, the stream ends (the connection closes, logged). The client
// closing its side, a write error or a server drain also close the
// connection and call on_close.
//
// Threading: loop thread only (see Connection).
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string_view>

#include "server/connection.h"
#include "server/http1_parser.h"
#include "server/io_buffer.h"
#include "server/memory_budget.h"
#include "server/output_queue.h"
#include "server/stream_channel.h"

namespace sluice::server {

class Http1Connection final : public Connection {
 public:
  // `transport`: null for a plain socket. `sniff_tls`: a first byte of
  // 0x16 (a TLS handshake record) hands the socket to a TLS handshake
  // (EventLoop::SwitchToTls) before anything is read.
  Http1Connection(EventLoop* loop, uint64_t id, int fd, std::unique_ptr<Transport> transport = nullptr,
                  bool sniff_tls = false);
  ~Http1Connection() override;

  // Called once after registration: arms the first header deadline.
  void Start();

  void OnEvents(uint32_t events) override;
  void Complete(uint64_t tag, HttpResponse response) override;
  void BeginDrain() override;
  void OnDeadline() override;
  void OnStreamWake(uint64_t tag) override;
  // Between requests with nothing buffered: BeginDrain() closes it at once.
  bool Idle() const override;

 protected:
  void OnClosed() override;

 private:
  struct Slot {
    uint64_t seq = 0;
    bool ready = false;
    bool request_done = false;   // the whole request was read
    bool send_continue = false;  // owes "100 Continue" before the body
    bool continue_sent = false;
    bool head_request = false;
    bool keep_alive = true;
    bool close_after = false;  // the connection ends after this response
    int http_minor = 1;
    HttpResponse response;
  };

  // The streamed response being written (at most one: it blocks the slots
  // behind it until finished).
  struct ActiveStream {
    uint64_t seq = 0;
    std::shared_ptr<StreamChannel> channel;
    std::shared_ptr<StreamingBody> body;  // dropped once finished
    bool chunked = true;
    bool close_after = false;  // the connection ends after the body
    bool started = false;      // on_start was called
    bool finished = false;     // the last chunk is in out_
    size_t unsent = 0;         // body bytes taken into out_, not yet written
  };

  // Reads what the socket has; false when the connection closed.
  bool ReadInput();
  // Sniffs the HTTP/2 preface; false when the connection is no longer ours.
  bool Sniff();
  // Peeks at the first byte for a TLS handshake; false when the connection
  // is no longer ours (switched to TLS, or closed).
  bool SniffTls();
  // Parses and dispatches what is buffered, then writes what is ready.
  void ProcessInput();
  void ParseAndDispatch();
  void QueueError(int status);
  // QueueError with the server's refusal answer (503, 408), logged.
  void QueueRefusal(int status, std::string_view message);
  // Whether the body being read has passed body_timeout_ms.
  bool BodyLate() const;
  // Deadline of a streamed response: ends it if its client stalls while the
  // budget is exceeded (see above); false when it did.
  bool CheckStalledStream();
  void Flush();
  void Serialize(Slot& slot, bool close);
  // The status line and headers; `streamed`: chunked instead of a length.
  std::string Head(const Slot& slot, bool close, bool streamed, bool chunked) const;
  // Writes the head of a streamed response and makes it the active stream.
  void StartStream(Slot& slot, bool close);
  // Writes out_ as far as the socket takes, then updates the stream's
  // accounting; false when the connection closed.
  bool WriteOutput();
  void AccountStream();
  // Ends an unfinished stream (on_close) or lets go of a finished one.
  void AbortStream();
  // Whether a streamed response is being produced.
  bool StreamOpen() const { return stream_ && !stream_->finished; }
  void AfterWrite();
  void StartLingeringClose();
  void UpdateInterestAndDeadline();
  // Bytes of answered responses not yet handed to the kernel.
  size_t PendingOutputBytes() const { return out_.bytes() + ready_bytes_; }
  // Whether another request may be parsed and dispatched now.
  bool MayParseMore() const;

  Http1Parser parser_;
  IoBuffer in_;
  OutputQueue out_;
  std::deque<Slot> slots_;
  std::unique_ptr<ActiveStream> stream_;
  bool start_pending_ = false;  // call the stream's on_start at the end of Flush()
  bool in_callback_ = false;    // inside a StreamingBody callback
  uint64_t next_seq_ = 0;
  size_t ready_bytes_ = 0;  // response bodies held by ready slots
  bool sniffing_ = true;
  bool sniff_tls_ = false;
  bool in_dispatch_ = false;
  bool current_has_slot_ = false;  // the request being read owns slots_.back()
  bool input_closed_ = false;      // parse no further requests
  bool parse_paused_ = false;      // back-pressure (see above); resume after writes
  bool processing_ = false;        // inside ProcessInput()
  bool reprocess_ = false;         // ProcessInput() was asked for again meanwhile
  bool close_after_write_ = false;
  bool lingering_ = false;
  bool linger_on_close_ = false;  // closing after an error: drain unread input first
  bool draining_ = false;
  int64_t request_started_ns_ = 0;  // 0: between requests
  int64_t body_started_ns_ = 0;     // end of the headers of the body being read
  uint64_t body_declared_ = 0;      // its Content-Length, admitted against the budget
  int64_t last_activity_ns_ = 0;
  int64_t last_write_ns_ = 0;     // the last write that took bytes
  int64_t stall_checked_ns_ = 0;  // the last stall check of a stream
  BudgetShare body_share_;        // max(body_declared_, the read buffer's capacity)
  BudgetShare output_share_;      // PendingOutputBytes()
};

}  // namespace sluice::server
