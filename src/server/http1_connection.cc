#include "server/http1_connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

#include "server/error_response.h"
#include "server/event_loop.h"
#include "server/http_status.h"
#include "server/refusal_log.h"

namespace sluice::server {
namespace {

constexpr std::string_view kHttp2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr size_t kMaxPipelined = 64;  // slots before we stop parsing
// Answered-but-unwritten response bytes at which parsing and reading stop;
// they resume below half of it (hysteresis, so a slow reader does not flip
// the epoll interest on every write).
constexpr size_t kMaxPendingOutput = 16 << 20;
constexpr size_t kResumePendingOutput = kMaxPendingOutput / 2;
constexpr size_t kReadChunk = 16 << 10;
constexpr size_t kReadBudget = 1 << 20;    // per readiness event, for fairness
constexpr size_t kInlineBodyLimit = 4096;  // smaller bodies share the header chunk
// A read buffer that grew past this for a large body is freed once empty,
// so a thousand idle connections do not keep a megabyte each.
constexpr size_t kIdleBufferKeep = 64 << 10;
// How long a streamed response's client may take nothing before the stream
// is ended, while the memory budget is exceeded.
constexpr int64_t kStallCheckNs = 1'000'000'000;
constexpr int64_t kLingerNs = 2'000'000'000;
constexpr int64_t kNsPerMs = 1'000'000;

bool IsServerHeader(std::string_view name) {
  auto eq = [&](std::string_view lower) {
    if (name.size() != lower.size()) return false;
    for (size_t i = 0; i < name.size(); ++i) {
      char c = name[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
      if (c != lower[i]) return false;
    }
    return true;
  };
  return eq("content-length") || eq("date") || eq("connection") || eq("transfer-encoding");
}

void AppendNumber(std::string* out, uint64_t n, int base = 10) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), n, base);
  out->append(digits, end);
}

}  // namespace

Http1Connection::Http1Connection(EventLoop* loop, uint64_t id, int fd, std::unique_ptr<Transport> transport,
                                 bool sniff_tls)
    : Connection(loop, id, fd, std::move(transport)),
      parser_(Http1Limits{loop->context().options.max_header_bytes, loop->context().options.max_body_bytes}),
      sniff_tls_(sniff_tls),
      body_share_(loop->context().budget),
      output_share_(loop->context().budget) {
  CountOpen(/*http2=*/false);
}

Http1Connection::~Http1Connection() { AbortStream(); }

void Http1Connection::Start() {
  request_started_ns_ = loop_->now_ns();
  last_activity_ns_ = loop_->now_ns();
  UpdateInterestAndDeadline();
}

void Http1Connection::OnEvents(uint32_t events) {
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    if (sniff_tls_ && !SniffTls()) return;
    if (!ReadInput()) return;
  }
  if (lingering_) return;
  if (sniffing_ && !Sniff()) return;
  if (!sniffing_) ProcessInput();
  if (closed()) return;
  if ((events & EPOLLOUT) && !out_.empty()) {
    if (!WriteOutput()) return;
    AfterWrite();
  }
  if (!closed()) UpdateInterestAndDeadline();
}

bool Http1Connection::SniffTls() {
  unsigned char first = 0;
  ssize_t n;
  do {
    n = ::recv(fd(), &first, 1, MSG_PEEK);
  } while (n < 0 && errno == EINTR);
  if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;  // nothing yet: ReadInput waits too
  if (n <= 0) return true;                                              // EOF or error: ReadInput sees it and closes
  sniff_tls_ = false;
  if (first != 0x16) return true;
  loop_->SwitchToTls(this);
  return false;
}

bool Http1Connection::ReadInput() {
  size_t total = 0;
  // Over TLS, bytes the session already took off the socket wake no epoll
  // event: read them whatever the budget.
  while (total < kReadBudget || transport().HasBuffered()) {
    in_.Reserve(kReadChunk);
    ssize_t n = transport().Read(in_.WritableData(), in_.WritableSize());
    if (n > 0) {
      total += static_cast<size_t>(n);
      if (lingering_) continue;  // discard: we only wait for the peer's EOF
      bool filled = static_cast<size_t>(n) == in_.WritableSize();
      in_.Commit(static_cast<size_t>(n));
      last_activity_ns_ = loop_->now_ns();
      if (!parser_.started() && request_started_ns_ == 0) request_started_ns_ = loop_->now_ns();
      // A short read drained the socket; level-triggered epoll reports more.
      if (!filled && !transport().HasBuffered()) return true;
      continue;
    }
    if (n == Transport::kAgain) return true;
    // EOF or error. A partial request dies with the connection: its handler
    // is never called. Complete earlier requests still get their answers,
    // unless a stream is open: a client that ends its side during an event
    // stream has gone, and the producer should stop.
    if (n < 0 || lingering_ || sniffing_ || parser_.started() || slots_.empty() || StreamOpen()) {
      Close();
      return false;
    }
    input_closed_ = true;
    return true;
  }
  return true;
}

bool Http1Connection::Sniff() {
  std::string_view seen = in_.view();
  size_t n = seen.size() < kHttp2Preface.size() ? seen.size() : kHttp2Preface.size();
  if (seen.substr(0, n) != kHttp2Preface.substr(0, n)) {
    sniffing_ = false;
    return true;
  }
  if (n < kHttp2Preface.size()) return false;  // a prefix so far: wait
  loop_->SwitchToHttp2(this, seen);
  return false;
}

void Http1Connection::ProcessInput() {
  // Flush() can ask for more parsing (a paused pipeline drained); loop here
  // instead of recursing.
  if (processing_) {
    reprocess_ = true;
    return;
  }
  processing_ = true;
  do {
    reprocess_ = false;
    ParseAndDispatch();
    if (closed()) break;
    Flush();
  } while (reprocess_ && !closed());
  processing_ = false;
}

bool Http1Connection::MayParseMore() const {
  return !input_closed_ && slots_.size() < kMaxPipelined && PendingOutputBytes() < kMaxPendingOutput;
}

void Http1Connection::ParseAndDispatch() {
  while (MayParseMore()) {
    auto result = parser_.Parse(in_.data(), in_.size());
    if (result == Http1ParseResult::kNeedMore) {
      // A chunked body grows as it arrives.
      if (current_has_slot_ && parser_.chunked() && !body_share_.TryGrowTo(in_.size())) {
        QueueRefusal(503, "The server is holding too many request bodies; retry later.");
      }
      break;
    }
    if (result == Http1ParseResult::kError) {
      QueueError(parser_.error_status());
      break;
    }
    if (result == Http1ParseResult::kHeadersDone) {
      Slot slot;
      slot.seq = next_seq_++;
      slot.http_minor = parser_.http_minor();
      slot.keep_alive = parser_.keep_alive();
      slot.head_request = parser_.request().method == "HEAD";
      slot.send_continue = parser_.expect_continue() && (parser_.chunked() || parser_.content_length() > 0);
      slots_.push_back(std::move(slot));
      current_has_slot_ = true;
      // The body phase has its own deadline, not the header one.
      request_started_ns_ = 0;
      body_started_ns_ = loop_->now_ns();
      // A request without a body (a GET, /health) is never refused.
      body_declared_ = parser_.chunked() ? 0 : parser_.content_length();
      if (!body_share_.TryGrowTo(body_declared_)) {
        QueueRefusal(503, "The server is holding too many request bodies; retry later.");
        break;
      }
      continue;
    }
    // kComplete: dispatch. Views stay valid during the handler call.
    if (!current_has_slot_ || slots_.empty()) return Close();  // cannot happen
    Slot& slot = slots_.back();
    slot.request_done = true;
    current_has_slot_ = false;
    uint64_t seq = slot.seq;
    bool keep_alive = parser_.keep_alive();
    in_dispatch_ = true;
    context().handler(parser_.request(), MakeResponder(seq));
    in_dispatch_ = false;
    in_.Consume(parser_.consumed());
    parser_.Reset();
    body_declared_ = 0;
    body_started_ns_ = 0;
    if (closed()) return;
    if (!keep_alive || draining_) input_closed_ = true;
    if (!in_.empty() && !input_closed_) request_started_ns_ = loop_->now_ns();
  }
  parse_paused_ = !input_closed_ && !MayParseMore();
  in_.ShrinkIfIdle(kIdleBufferKeep);
}

void Http1Connection::QueueError(int status) {
  input_closed_ = true;
  if (!current_has_slot_) {
    Slot slot;
    slot.seq = next_seq_++;
    slots_.push_back(std::move(slot));
  }
  current_has_slot_ = false;
  Slot& slot = slots_.back();
  slot.ready = true;
  slot.request_done = true;
  slot.close_after = true;
  linger_on_close_ = true;
  slot.response = ErrorResponse(status);
  ready_bytes_ += slot.response.body.size();
}

void Http1Connection::QueueRefusal(int status, std::string_view message) {
  LogRefusal(fmt::format("http: connection {}", id()), status, message);
  QueueError(status);
  Slot& slot = slots_.back();
  ready_bytes_ -= slot.response.body.size();
  slot.response = context().Refusal(status, message);
  ready_bytes_ += slot.response.body.size();
  body_declared_ = 0;
  body_started_ns_ = 0;
}

bool Http1Connection::BodyLate() const {
  int64_t timeout_ms = context().options.body_timeout_ms;
  return current_has_slot_ && body_started_ns_ != 0 && timeout_ms > 0 &&
         loop_->now_ns() >= body_started_ns_ + timeout_ms * kNsPerMs;
}

void Http1Connection::Complete(uint64_t tag, HttpResponse response) {
  if (slots_.empty() || tag < slots_.front().seq) return;
  size_t index = static_cast<size_t>(tag - slots_.front().seq);
  if (index >= slots_.size()) return;
  Slot& slot = slots_[index];
  if (slot.ready) return;  // a second call, or an error answered already
  slot.ready = true;
  slot.response = std::move(response);
  if (slot.response.streaming) std::string().swap(slot.response.body);
  ready_bytes_ += slot.response.body.size();
  // Inside a dispatch: written with the rest of this read, in order. Inside
  // a stream callback: the stream is open, so this waits behind it anyway.
  if (in_dispatch_ || in_callback_) return;
  Flush();
  if (!closed()) UpdateInterestAndDeadline();
}

void Http1Connection::Flush() {
  if (in_dispatch_ || closed() || lingering_) return;
  while (!slots_.empty() && !close_after_write_ && !StreamOpen()) {
    Slot& slot = slots_.front();
    if (!slot.ready) {
      if (slot.send_continue && !slot.continue_sent && !slot.request_done) {
        out_.Append("HTTP/1.1 100 Continue\r\n\r\n");
        slot.continue_sent = true;
      }
      break;
    }
    if (slot.response.abort_connection) {
      // What was answered before goes out (over as many writes as it
      // takes); then the connection closes, without this answer.
      slots_.clear();
      ready_bytes_ = 0;
      close_after_write_ = true;
      break;
    }
    bool last_before_close = input_closed_ && slots_.size() == 1 && !current_has_slot_;
    bool close = slot.close_after || !slot.keep_alive || (draining_ && last_before_close);
    ready_bytes_ -= slot.response.body.size();
    if (slot.response.streaming && !slot.head_request) {
      // A drain does not wait for a body of unknown length.
      if (draining_) return Close();
      StartStream(slot, close);
      slots_.pop_front();
      if (stream_->close_after) {
        input_closed_ = true;
        slots_.clear();
        ready_bytes_ = 0;
      }
      break;
    }
    Serialize(slot, close);
    slots_.pop_front();
    if (close) {
      close_after_write_ = true;
      slots_.clear();
      ready_bytes_ = 0;
    }
  }
  if (!WriteOutput()) return;
  AfterWrite();
  if (start_pending_ && stream_ && !closed()) {
    // Last, so the callback sees a consistent connection; what it writes
    // comes back through the channel's wakeup.
    start_pending_ = false;
    stream_->started = true;
    std::shared_ptr<StreamingBody> body = stream_->body;
    std::shared_ptr<BodyWriter> writer = stream_->channel;
    if (body->on_start) {
      in_callback_ = true;
      body->on_start(std::move(writer));
      in_callback_ = false;
    }
  }
}

bool Http1Connection::WriteOutput() {
  if (!out_.empty()) {
    size_t written = 0;
    auto r = transport().Write(out_, &written);
    if (written) last_activity_ns_ = last_write_ns_ = loop_->now_ns();
    if (r == OutputQueue::WriteResult::kError) {
      Close();
      return false;
    }
  }
  if (stream_) AccountStream();
  return !closed();
}

void Http1Connection::AccountStream() {
  ActiveStream& s = *stream_;
  // The body bytes are the last ones queued (behind at most their chunk
  // framing), so what is left of out_ bounds what is left of them.
  size_t unsent = s.unsent < out_.bytes() ? s.unsent : out_.bytes();
  if (unsent != s.unsent) {
    s.channel->MarkSent(s.unsent - unsent);
    s.unsent = unsent;
  }
  if (s.finished) {
    if (unsent == 0) AbortStream();  // nothing left to account for
    return;
  }
  if (s.channel->TakeDrained() && s.body->on_drain) {
    std::shared_ptr<StreamingBody> body = s.body;
    in_callback_ = true;
    body->on_drain();
    in_callback_ = false;
  }
}

void Http1Connection::StartStream(Slot& slot, bool close) {
  if (stream_) AbortStream();  // the tail of a finished one may still be queued
  auto stream = std::make_unique<ActiveStream>();
  stream->seq = slot.seq;
  stream->body = std::move(slot.response.streaming);
  stream->chunked = slot.http_minor >= 1;
  // Without chunked framing (HTTP/1.0) only the close ends the body.
  stream->close_after = close || !stream->chunked;
  stream->channel = std::make_shared<StreamChannel>(MakeStreamWaker(slot.seq), stream->body->drain_threshold);
  out_.Append(Head(slot, stream->close_after, true, stream->chunked));
  stream_ = std::move(stream);
  start_pending_ = true;
  last_write_ns_ = loop_->now_ns();  // the stall clock starts with the stream
}

void Http1Connection::OnStreamWake(uint64_t tag) {
  if (!StreamOpen() || stream_->seq != tag || lingering_) return;
  ActiveStream& s = *stream_;
  s.channel->AckWake();
  std::deque<std::string> pieces;
  bool finished = false;
  s.channel->TakeAll(&pieces, &finished);
  // One chunk per piece; small ones share a buffer with their framing,
  // large ones are moved in whole.
  std::string small;
  for (std::string& piece : pieces) {
    s.unsent += piece.size();
    if (s.chunked) {
      AppendNumber(&small, piece.size(), 16);
      small.append("\r\n");
    }
    if (piece.size() <= kInlineBodyLimit) {
      small.append(piece);
    } else {
      out_.Append(std::move(small));
      small.clear();
      out_.Append(std::move(piece));
    }
    if (s.chunked) small.append("\r\n");
  }
  if (finished) {
    if (s.chunked) small.append("0\r\n\r\n");
    s.finished = true;
    s.body.reset();
    // The idle clock restarts now, not from the stream's last write.
    last_activity_ns_ = loop_->now_ns();
    if (s.close_after) close_after_write_ = true;
  }
  out_.Append(std::move(small));
  Flush();  // writes, and after the last chunk moves on to the next slots
  if (!closed()) UpdateInterestAndDeadline();
}

void Http1Connection::AbortStream() {
  if (!stream_) return;
  std::unique_ptr<ActiveStream> stream = std::move(stream_);
  start_pending_ = false;
  bool owed = stream->channel->Abort() && stream->started && !stream->finished;
  if (owed && stream->body && stream->body->on_close) {
    in_callback_ = true;
    stream->body->on_close();
    in_callback_ = false;
  }
}

void Http1Connection::OnClosed() { AbortStream(); }

std::string Http1Connection::Head(const Slot& slot, bool close, bool streamed, bool chunked) const {
  const HttpResponse& response = slot.response;
  std::string head;
  head.reserve(192);
  head.append(slot.http_minor == 0 ? "HTTP/1.0 " : "HTTP/1.1 ");
  AppendNumber(&head, static_cast<uint64_t>(response.status));
  head.push_back(' ');
  head.append(ReasonPhrase(response.status));
  head.append("\r\n");
  for (const auto& [name, value] : response.headers) {
    if (IsServerHeader(name)) continue;
    head.append(name).append(": ").append(value).append("\r\n");
  }
  if (!streamed) {
    head.append("Content-Length: ");
    AppendNumber(&head, response.body.size());
    head.append("\r\n");
  } else if (chunked) {
    head.append("Transfer-Encoding: chunked\r\n");
  }
  head.append("Date: ").append(HttpDateNow()).append("\r\n");
  if (close) {
    head.append("Connection: close\r\n");
  } else if (slot.http_minor == 0) {
    head.append("Connection: keep-alive\r\n");
  }
  head.append("\r\n");
  return head;
}

void Http1Connection::Serialize(Slot& slot, bool close) {
  HttpResponse& response = slot.response;
  // A streamed response to HEAD: its head only (on_start is never called).
  bool streamed = response.streaming != nullptr;
  std::string head = Head(slot, close, streamed, streamed && slot.http_minor >= 1);
  if (slot.head_request || response.body.empty()) {
    out_.Append(std::move(head));
  } else if (response.body.size() <= kInlineBodyLimit) {
    head.append(response.body);
    out_.Append(std::move(head));
  } else {
    out_.Append(std::move(head));
    out_.Append(std::move(response.body));
  }
}

void Http1Connection::AfterWrite() {
  if (closed()) return;
  if (out_.empty()) {
    if (close_after_write_) {
      // Only an error can leave unread client bytes behind (see
      // StartLingeringClose); an orderly close, or a drain, closes at once.
      if (linger_on_close_ && !draining_) return StartLingeringClose();
      return Close();
    }
    if (input_closed_ && slots_.empty() && !current_has_slot_ && !StreamOpen()) return Close();
  }
  // Output drained enough: parse requests held back by back-pressure.
  if (parse_paused_ && !in_dispatch_ && !close_after_write_ && slots_.size() < kMaxPipelined &&
      PendingOutputBytes() < kResumePendingOutput) {
    parse_paused_ = false;
    // The header clock of a request read before the pause restarts now.
    if (request_started_ns_ != 0) request_started_ns_ = loop_->now_ns();
    ProcessInput();
  }
}

void Http1Connection::StartLingeringClose() {
  // Closing with unread input makes the kernel send RST, which can destroy
  // the response in flight. Half-close and discard input until the peer's
  // EOF or a short deadline instead.
  lingering_ = true;
  transport().ShutdownWrite();
  in_.Consume(in_.size());
  in_.ShrinkIfIdle(0);
  body_share_.Set(0);
  SetDeadline(loop_->now_ns() + kLingerNs);
  SetInterest(true, false);
}

void Http1Connection::BeginDrain() {
  draining_ = true;
  // A stream may last minutes: end it now (on_close) rather than wait.
  if (lingering_ || StreamOpen()) return Close();
  if (!parser_.started() && !current_has_slot_) input_closed_ = true;
  if (input_closed_ && slots_.empty() && out_.empty()) return Close();
  Flush();
  if (!closed()) UpdateInterestAndDeadline();
}

void Http1Connection::OnDeadline() {
  if (StreamOpen()) {
    if (CheckStalledStream()) UpdateInterestAndDeadline();
    return;
  }
  if (BodyLate() && !parse_paused_) {
    QueueRefusal(408, "The request body did not arrive within the body timeout.");
    Flush();
    if (!closed()) UpdateInterestAndDeadline();
    return;
  }
  Close();
}

bool Http1Connection::CheckStalledStream() {
  int64_t now = loop_->now_ns();
  stall_checked_ns_ = now;
  const MemoryBudget& budget = context().budget;
  if (out_.empty() || now < last_write_ns_ + kStallCheckNs || !budget.over()) return true;
  LogStalledStreamEnded(fmt::format("http: connection {}", id()), "ending", (now - last_write_ns_) / kNsPerMs, budget,
                        out_.bytes());
  Close();
  return false;
}

bool Http1Connection::Idle() const {
  return !draining_ && !lingering_ && !StreamOpen() && slots_.empty() && out_.empty() && in_.empty() &&
         !parser_.started();
}

void Http1Connection::UpdateInterestAndDeadline() {
  if (closed() || lingering_) return;
  // While paused the socket is not read either: the kernel's receive buffer,
  // then the client's send buffer, absorb what the client keeps sending.
  SetInterest(!input_closed_ && !parse_paused_, !out_.empty());
  const ServerOptions& options = context().options;
  int64_t idle_deadline = last_activity_ns_ + options.idle_timeout_ms * kNsPerMs;
  bool waiting_for_handler = !slots_.empty() && out_.empty() && !current_has_slot_ && !parser_.started();
  // A paused pipeline waits on us (or on the client reading), not on the
  // client's headers: no header deadline then.
  if (StreamOpen()) {
    // A stream may be quiet for long; it ends by Finish or by the client.
    // Only a client that stops reading it is watched (CheckStalledStream).
    int64_t since = last_write_ns_ > stall_checked_ns_ ? last_write_ns_ : stall_checked_ns_;
    SetDeadline(out_.empty() ? 0 : since + kStallCheckNs);
  } else if (request_started_ns_ != 0 && !current_has_slot_ && !parse_paused_) {
    int64_t header_deadline = request_started_ns_ + options.header_timeout_ms * kNsPerMs;
    SetDeadline(header_deadline < idle_deadline ? header_deadline : idle_deadline);
  } else if (waiting_for_handler) {
    SetDeadline(0);
  } else if (current_has_slot_ && body_started_ns_ != 0 && options.body_timeout_ms > 0 && !parse_paused_) {
    int64_t body_deadline = body_started_ns_ + options.body_timeout_ms * kNsPerMs;
    SetDeadline(body_deadline < idle_deadline ? body_deadline : idle_deadline);
  } else {
    SetDeadline(idle_deadline);
  }
  output_share_.Set(PendingOutputBytes());
  // The read buffer is what the body costs once it is in (and before its
  // headers are parsed); its release is what makes the budget fall.
  body_share_.Set(body_declared_ > in_.capacity() ? body_declared_ : in_.capacity());
}

}  // namespace sluice::server
