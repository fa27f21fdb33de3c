#include "server/http2_connection.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "server/error_response.h"
#include "server/event_loop.h"
#include "server/http_status.h"
#include "server/refusal_log.h"

namespace sluice::server {
namespace {

constexpr size_t kMaxBufferedOutput = 4 << 20;
constexpr size_t kReadBudget = 1 << 20;
constexpr int32_t kStreamWindow = 1 << 20;
constexpr int32_t kConnectionWindow = 16 << 20;
constexpr uint32_t kMaxConcurrentStreams = 256;
// A declared content-length is only a hint: reserving it whole would let a
// HEADERS frame alone allocate max_body_bytes.
constexpr size_t kMaxBodyReserve = 64 << 10;
constexpr int64_t kNsPerMs = 1'000'000;
// How long a streamed stream's client may take nothing before the stream is
// reset, while the memory budget is exceeded.
constexpr int64_t kStallCheckNs = 1'000'000'000;
constexpr std::string_view kBudgetMessage = "The server is holding too many request bodies; retry later.";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
  }
  return out;
}

// Headers HTTP/2 forbids or the server sets itself.
bool IsSkippedResponseHeader(std::string_view lower) {
  return lower == "content-length" || lower == "date" || lower == "connection" || lower == "transfer-encoding" ||
         lower == "keep-alive" || lower == "upgrade" || lower == "proxy-connection" || lower.empty() || lower[0] == ':';
}

nghttp2_nv MakeNv(const std::string& name, const std::string& value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(), NGHTTP2_NV_FLAG_NONE};
}

ssize_t ReadResponseBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* data_flags,
                         nghttp2_data_source* source, void*);
ssize_t ReadStreamedBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* data_flags,
                         nghttp2_data_source* source, void*);

const nghttp2_session_callbacks* Callbacks() {
  // Built once: accepting an h2c connection should cost little.
  static nghttp2_session_callbacks* callbacks = [] {
    nghttp2_session_callbacks* cb;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_begin_headers_callback(cb, &Http2Connection::OnBeginHeaders);
    nghttp2_session_callbacks_set_on_header_callback(cb, &Http2Connection::OnHeader);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &Http2Connection::OnDataChunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &Http2Connection::OnFrameReceived);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, &Http2Connection::OnStreamClose);
    nghttp2_session_callbacks_set_on_frame_send_callback(cb, &Http2Connection::OnFrameSent);
    return cb;
  }();
  return callbacks;
}

const nghttp2_option* Options() {
  static nghttp2_option* option = [] {
    nghttp2_option* o;
    nghttp2_option_new(&o);
    // Request bodies are returned to the connection window by hand, against
    // the connection's memory budget (see ReleaseConnectionWindow).
    nghttp2_option_set_no_auto_window_update(o, 1);
    return o;
  }();
  return option;
}

}  // namespace

struct Http2Connection::Stream {
  int32_t id = 0;
  std::string method;
  std::string target;
  std::string authority;
  std::vector<std::pair<std::string, std::string>> headers;
  size_t header_bytes = 0;
  std::string body;
  uint64_t declared_length = 0;  // content-length, 0 when absent
  uint64_t budgeted = 0;         // this body's part of body_share_
  int64_t body_started_ns = 0;   // HEADERS without END_STREAM; 0: no body awaited
  int error_status = 0;
  bool dispatched = false;
  bool responded = false;
  bool reset_after_response = false;  // the body came too late: RST_STREAM once answered
  std::string response_body;
  size_t response_offset = 0;
  // A streamed response (see the header).
  std::shared_ptr<StreamingBody> streaming;
  std::shared_ptr<StreamChannel> channel;
  bool body_done = false;      // the provider handed nghttp2 the end of the body
  bool aborted = false;        // ended by the server (drain, connection closing, stalled client)
  uint64_t sent = 0;           // streamed bytes framed as DATA
  uint64_t sent_at_check = 0;  // `sent` at the last stall check
};

namespace {
ssize_t ReadResponseBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* data_flags,
                         nghttp2_data_source* source, void* self) {
  auto* stream = static_cast<Http2Connection::Stream*>(source->ptr);
  size_t left = stream->response_body.size() - stream->response_offset;
  size_t n = left < length ? left : length;
  std::memcpy(buf, stream->response_body.data() + stream->response_offset, n);
  stream->response_offset += n;
  static_cast<Http2Connection*>(self)->OnResponseBytesSent(n);
  if (stream->response_offset == stream->response_body.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

ssize_t ReadStreamedBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* data_flags,
                         nghttp2_data_source* source, void*) {
  auto* stream = static_cast<Http2Connection::Stream*>(source->ptr);
  bool finished = false;
  size_t n = stream->channel->Read(buf, length, &finished);
  stream->sent += n;
  if (finished) {
    *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    stream->body_done = true;
  } else if (n == 0) {
    // Nothing queued: park the stream until the producer's next Write or
    // Finish wakes the loop (OnStreamWake resumes it).
    return NGHTTP2_ERR_DEFERRED;
  }
  return static_cast<ssize_t>(n);
}
}  // namespace

Http2Connection::Http2Connection(EventLoop* loop, uint64_t id, int fd, std::unique_ptr<Transport> transport)
    : Connection(loop, id, fd, std::move(transport)),
      body_share_(loop->context().budget),
      response_share_(loop->context().budget) {
  CountOpen(/*http2=*/true);
  nghttp2_session_server_new2(&session_, Callbacks(), this, Options());
}

Http2Connection::~Http2Connection() {
  OnClosed();  // the loop is stopping: streams still open end here
  nghttp2_session_del(session_);
}

void Http2Connection::OnClosed() {
  AbortAllStreams();
  std::vector<std::shared_ptr<StreamingBody>> owed;
  owed.swap(owed_close_);
  for (auto& body : owed) {
    if (body->on_close) body->on_close();
  }
}

void Http2Connection::Start(std::string_view initial_bytes) {
  last_activity_ns_ = loop_->now_ns();
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, kMaxConcurrentStreams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kStreamWindow)},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, context().options.max_header_bytes},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 3);
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
  if (!Receive(reinterpret_cast<const uint8_t*>(initial_bytes.data()), initial_bytes.size())) return;
  Progress();
}

void Http2Connection::OnEvents(uint32_t events) {
  if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
    if (!ReadInput()) return;
  }
  Progress();
}

void Http2Connection::Progress() {
  Flush();
  if (!waiting_.empty()) {
    DispatchWaiting();
    Flush();  // what the handlers answered synchronously
  }
  if (closed()) return;
  size_t before = unconsumed_bytes_;
  ReleaseConnectionWindow();
  if (unconsumed_bytes_ != before) Flush();
  if (!closed() && (streamed_ > 0 || !owed_close_.empty())) RunStreamCallbacks();
  if (!closed()) UpdateInterestAndDeadline();
}

bool Http2Connection::ReadInput() {
  uint8_t buffer[64 << 10];
  size_t total = 0;
  // Over TLS, bytes the session already took off the socket wake no epoll
  // event: read them whatever the budget.
  while (total < kReadBudget || transport().HasBuffered()) {
    ssize_t n = transport().Read(buffer, sizeof(buffer));
    if (n > 0) {
      total += static_cast<size_t>(n);
      last_activity_ns_ = loop_->now_ns();
      if (!Receive(buffer, static_cast<size_t>(n))) return false;
      if (static_cast<size_t>(n) < sizeof(buffer) && !transport().HasBuffered()) return true;
      continue;
    }
    if (n == Transport::kAgain) return true;
    Close();  // EOF or error: in-flight streams are dropped
    return false;
  }
  return true;
}

bool Http2Connection::Receive(const uint8_t* data, size_t length) {
  in_recv_ = true;
  ssize_t r = nghttp2_session_mem_recv(session_, data, length);
  in_recv_ = false;
  if (closed()) return false;
  if (r < 0) {
    // Protocol error: nghttp2 has queued a GOAWAY; send it, then close.
    Flush();
    Close();
    return false;
  }
  return true;
}

int Http2Connection::OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* self) {
  auto* c = static_cast<Http2Connection*>(self);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto stream = std::make_unique<Stream>();
  stream->id = frame->hd.stream_id;
  c->streams_[frame->hd.stream_id] = std::move(stream);
  return 0;
}

int Http2Connection::OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t name_length,
                              const uint8_t* value, size_t value_length, uint8_t, void* self) {
  auto* c = static_cast<Http2Connection*>(self);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto it = c->streams_.find(frame->hd.stream_id);
  if (it == c->streams_.end()) return 0;
  Stream* s = it->second.get();
  s->header_bytes += name_length + value_length + 32;
  if (s->header_bytes > c->context().options.max_header_bytes) {
    s->error_status = 431;
    return 0;
  }
  std::string_view n(reinterpret_cast<const char*>(name), name_length);
  std::string_view v(reinterpret_cast<const char*>(value), value_length);
  if (n == ":method") {
    s->method = v;
  } else if (n == ":path") {
    s->target = v;
  } else if (n == ":authority") {
    s->authority = v;
  } else if (!n.empty() && n[0] != ':') {
    if (n == "content-length") {
      uint64_t length = 0;
      for (char ch : v) length = ch >= '0' && ch <= '9' ? length * 10 + static_cast<uint64_t>(ch - '0') : length;
      if (v.size() > 18 || length > c->context().options.max_body_bytes)
        s->error_status = 413;
      else
        s->declared_length = length;
    }
    s->headers.emplace_back(std::string(n), std::string(v));
  }
  return 0;
}

int Http2Connection::OnDataChunk(nghttp2_session* session, uint8_t, int32_t stream_id, const uint8_t* data,
                                 size_t length, void* self) {
  auto* c = static_cast<Http2Connection*>(self);
  // The stream window reopens at once: the connection window alone bounds
  // what all streams together may send. Every received byte, kept or
  // discarded, is returned to the connection window by
  // ReleaseConnectionWindow() when the budget allows.
  nghttp2_session_consume_stream(session, stream_id, length);
  c->unconsumed_bytes_ += length;
  auto it = c->streams_.find(stream_id);
  if (it == c->streams_.end()) return 0;
  Stream* s = it->second.get();
  if (s->responded || s->error_status != 0) return 0;
  if (s->body.size() + length > c->context().options.max_body_bytes) {
    c->ReleaseBody(s);
    c->RespondError(s, 413);
    return 0;
  }
  if (s->body.size() + length > s->budgeted) {
    uint64_t more = s->body.size() + length - s->budgeted;
    if (!c->body_share_.TryGrowTo(c->body_share_.bytes() + more)) {
      c->RespondRefusal(s, 503, kBudgetMessage);
      return 0;
    }
    s->budgeted += more;
  }
  s->body.append(reinterpret_cast<const char*>(data), length);
  c->body_bytes_ += length;
  return 0;
}

int Http2Connection::OnFrameReceived(nghttp2_session*, const nghttp2_frame* frame, void* self) {
  auto* c = static_cast<Http2Connection*>(self);
  if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
  auto it = c->streams_.find(frame->hd.stream_id);
  if (it == c->streams_.end()) return 0;
  Stream* s = it->second.get();
  if (s->error_status != 0 && !s->responded) {
    // Answer at once: the body (if any) is not worth waiting for.
    c->RespondError(s, s->error_status);
    return 0;
  }
  if (frame->hd.type == NGHTTP2_HEADERS && !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM) && !s->responded) {
    // A body follows: admit its declared length against the budget.
    if (!c->body_share_.TryGrowTo(c->body_share_.bytes() + s->declared_length)) {
      c->RespondRefusal(s, 503, kBudgetMessage);
      return 0;
    }
    s->budgeted = s->declared_length;
    s->body.reserve(s->declared_length < kMaxBodyReserve ? s->declared_length : kMaxBodyReserve);
    s->body_started_ns = c->loop_->now_ns();
  }
  if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) && !s->dispatched && !s->responded) {
    // In arrival order: behind any request already waiting for the budget.
    if (c->waiting_.empty() && c->MayDispatch()) {
      c->Dispatch(s);
    } else {
      c->waiting_.push_back(s->id);
    }
  }
  return 0;
}

int Http2Connection::OnFrameSent(nghttp2_session* session, const nghttp2_frame* frame, void* self) {
  bool ends_response = (frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                       (frame->hd.flags & NGHTTP2_FLAG_END_STREAM);
  if (!ends_response) return 0;
  auto* c = static_cast<Http2Connection*>(self);
  auto it = c->streams_.find(frame->hd.stream_id);
  // The 408 went out and the late body still has not ended: RFC 9113 8.1,
  // close the stream with RST_STREAM NO_ERROR rather than leave it
  // half-open. (Only then: curl 7.88 reports such a reset as an error, so
  // a 413 or 503 answered while a client is still uploading fast is left
  // for the client to end.)
  if (it != c->streams_.end() && it->second->reset_after_response &&
      nghttp2_session_get_stream_remote_close(session, frame->hd.stream_id) == 0) {
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, frame->hd.stream_id, NGHTTP2_NO_ERROR);
  }
  return 0;
}

int Http2Connection::OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t, void* self) {
  auto* c = static_cast<Http2Connection*>(self);
  auto it = c->streams_.find(stream_id);
  if (it == c->streams_.end()) return 0;
  const Stream& s = *it->second;
  if (s.channel) {
    --c->streamed_;
    c->last_activity_ns_ = c->loop_->now_ns();
    // Closed before the end of the body went out: reset by the client.
    if (s.channel->Abort()) c->owed_close_.push_back(s.streaming);
  }
  c->ReleaseBody(it->second.get());
  c->response_bytes_ -= s.response_body.size() - s.response_offset;
  c->streams_.erase(it);  // a waiting_ entry for it is skipped later
  return 0;
}

bool Http2Connection::MayDispatch() const {
  // Over budget, dispatching would add a response to what is stuck. But when
  // only request bodies fill the budget, dispatching is what frees them.
  size_t response_side = response_bytes_ + out_.bytes();
  return BufferedBytes() < kMaxBufferedBytes || response_side == 0;
}

void Http2Connection::DispatchWaiting() {
  if (dispatching_ || in_recv_) return;
  dispatching_ = true;
  while (!waiting_.empty() && !closed()) {
    if (!MayDispatch()) {
      Flush();  // flow control may let some response bytes out by now
      if (closed() || !MayDispatch()) break;
    }
    auto it = streams_.find(waiting_.front());
    waiting_.pop_front();
    if (it != streams_.end()) Dispatch(it->second.get());
  }
  dispatching_ = false;
}

void Http2Connection::ReleaseConnectionWindow() {
  if (unconsumed_bytes_ == 0) return;
  // What the client could still make us hold: what we hold now plus the part
  // of the connection window it has not used yet.
  size_t window_left = kConnectionWindow > unconsumed_bytes_ ? kConnectionWindow - unconsumed_bytes_ : 0;
  size_t exposure = BufferedBytes() + window_left;
  if (exposure >= kMaxBufferedBytes) return;
  size_t release = kMaxBufferedBytes - exposure;
  if (release > unconsumed_bytes_) release = unconsumed_bytes_;
  nghttp2_session_consume_connection(session_, release);
  unconsumed_bytes_ -= release;
}

void Http2Connection::Dispatch(Stream* s) {
  if (s->dispatched || s->responded) return;
  s->dispatched = true;
  HttpRequest request;
  request.method = s->method;
  request.target = s->target;
  request.http_major = 2;
  request.headers.reserve(s->headers.size() + 1);
  bool has_host = false;
  for (const auto& [name, value] : s->headers) {
    request.headers.push_back({name, value});
    has_host = has_host || name == "host";
  }
  // Signing and routing code looks for Host; HTTP/2 carries it as :authority.
  if (!has_host && !s->authority.empty()) request.headers.push_back({"host", s->authority});
  request.body = s->body;
  // The Responder may run synchronously and close the stream: keep the id.
  int32_t id = s->id;
  context().handler(request, MakeResponder(static_cast<uint64_t>(id)));
  // The body was only lent to the handler: free it (and its budget) now.
  auto it = streams_.find(id);
  if (it != streams_.end()) ReleaseBody(it->second.get());
}

void Http2Connection::ReleaseBody(Stream* s) {
  body_bytes_ -= s->body.size();
  std::string().swap(s->body);
  body_share_.Set(body_share_.bytes() - s->budgeted);
  s->budgeted = 0;
  s->body_started_ns = 0;
}

void Http2Connection::RespondRefusal(Stream* s, int status, std::string_view message) {
  LogRefusal(fmt::format("http2: connection {} stream {}", id(), s->id), status, message);
  ReleaseBody(s);
  Submit(s, context().Refusal(status, message));
}

bool Http2Connection::RefuseLateBodies() {
  int64_t timeout_ms = context().options.body_timeout_ms;
  if (timeout_ms <= 0) return false;
  std::vector<Stream*> late;
  for (const auto& [id, s] : streams_) {
    if (s->body_started_ns != 0 && !s->dispatched && !s->responded &&
        loop_->now_ns() >= s->body_started_ns + timeout_ms * kNsPerMs) {
      late.push_back(s.get());
    }
  }
  for (Stream* s : late) {
    s->reset_after_response = true;
    RespondRefusal(s, 408, "The request body did not arrive within the body timeout.");
  }
  return !late.empty();
}

void Http2Connection::CheckStalledStreams() {
  int64_t now = loop_->now_ns();
  bool due = stall_checked_ns_ != 0 && now >= stall_checked_ns_ + kStallCheckNs;
  stall_checked_ns_ = now;
  const MemoryBudget& budget = context().budget;
  for (const auto& [id, s] : streams_) {
    if (!s->channel || s->aborted || s->body_done) continue;
    bool stalled = s->sent == s->sent_at_check && s->channel->BufferedBytes() > 0;
    s->sent_at_check = s->sent;
    if (!due || !stalled || !budget.over()) continue;
    LogStalledStreamEnded(fmt::format("http2: connection {} stream {}", this->id(), id), "resetting",
                          kStallCheckNs / kNsPerMs, budget, s->channel->BufferedBytes());
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    s->aborted = true;
    if (s->channel->Abort()) owed_close_.push_back(s->streaming);
  }
}

void Http2Connection::RespondError(Stream* s, int status) { Submit(s, ErrorResponse(status)); }

void Http2Connection::Complete(uint64_t tag, HttpResponse response) {
  auto it = streams_.find(static_cast<int32_t>(tag));
  if (it == streams_.end()) return;  // reset by the client, or closed
  Submit(it->second.get(), std::move(response));
  // Inside a dispatch the caller flushes (and checks the budget) itself.
  if (in_recv_ || dispatching_) return;
  Progress();
}

void Http2Connection::Submit(Stream* s, HttpResponse response) {
  if (s->responded) return;
  s->responded = true;
  if (response.abort_connection) {
    abort_pending_ = true;  // closed by the next Flush, outside nghttp2's callbacks
    return;
  }
  bool head = s->method == "HEAD";
  bool streamed = response.streaming && !head;
  if (streamed && draining_) {
    // A body of unknown length would outlive the drain. No response has
    // started, so the client may retry elsewhere.
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_REFUSED_STREAM);
    return;
  }
  std::vector<std::pair<std::string, std::string>> fields;
  fields.reserve(response.headers.size() + 3);
  fields.emplace_back(":status", std::to_string(response.status));
  for (auto& [name, value] : response.headers) {
    std::string lower = Lower(name);
    if (IsSkippedResponseHeader(lower)) continue;
    fields.emplace_back(std::move(lower), std::move(value));
  }
  // A streamed body has no length (a HEAD answer to one has none either).
  if (!response.streaming) fields.emplace_back("content-length", std::to_string(response.body.size()));
  fields.emplace_back("date", std::string(HttpDateNow()));
  std::vector<nghttp2_nv> nva;
  nva.reserve(fields.size());
  for (const auto& [name, value] : fields) nva.push_back(MakeNv(name, value));
  if (streamed) return SubmitStreamed(s, nva, std::move(response.streaming));
  s->response_body = head ? std::string() : std::move(response.body);
  s->response_offset = 0;
  response_bytes_ += s->response_body.size();
  nghttp2_data_provider provider{};
  provider.source.ptr = s;
  provider.read_callback = ReadResponseBody;
  nghttp2_submit_response(session_, s->id, nva.data(), nva.size(), s->response_body.empty() ? nullptr : &provider);
}

void Http2Connection::SubmitStreamed(Stream* s, std::vector<nghttp2_nv>& nva, std::shared_ptr<StreamingBody> body) {
  auto channel = std::make_shared<StreamChannel>(MakeStreamWaker(static_cast<uint64_t>(s->id)), body->drain_threshold);
  nghttp2_data_provider provider{};
  provider.source.ptr = s;
  provider.read_callback = ReadStreamedBody;
  if (nghttp2_submit_response(session_, s->id, nva.data(), nva.size(), &provider) != 0) return;
  s->streaming = body;
  s->channel = channel;
  ++streamed_;
  if (body->on_start) body->on_start(std::move(channel));
}

void Http2Connection::OnStreamWake(uint64_t tag) {
  auto it = streams_.find(static_cast<int32_t>(tag));
  if (it == streams_.end()) return;
  Stream* s = it->second.get();
  if (!s->channel || s->aborted || s->body_done) return;
  s->channel->AckWake();
  // Sending is activity: the idle clock restarts after the stream's end.
  last_activity_ns_ = loop_->now_ns();
  // Not deferred (the provider has not run dry yet, or flow control holds
  // it): INVALID_ARGUMENT, harmless; nghttp2 calls the provider anyway.
  nghttp2_session_resume_data(session_, s->id);
  Progress();
}

void Http2Connection::RunStreamCallbacks() {
  std::vector<std::shared_ptr<StreamingBody>> drained;
  for (const auto& [id, s] : streams_) {
    if (s->channel && !s->aborted && !s->body_done && s->streaming->on_drain && s->channel->TakeDrained()) {
      drained.push_back(s->streaming);
    }
  }
  std::vector<std::shared_ptr<StreamingBody>> owed;
  owed.swap(owed_close_);
  for (auto& body : owed) {
    if (body->on_close) body->on_close();
  }
  for (auto& body : drained) body->on_drain();
}

void Http2Connection::AbortAllStreams() {
  for (const auto& [id, s] : streams_) {
    if (!s->channel || s->aborted || s->body_done) continue;
    s->aborted = true;
    if (s->channel->Abort()) owed_close_.push_back(s->streaming);
  }
}

size_t Http2Connection::LiveStreamCount() const {
  size_t live = 0;
  for (const auto& [id, s] : streams_) live += s->aborted ? 0 : 1;
  return live;
}

void Http2Connection::Flush() {
  if (in_recv_ || closed()) return;
  if (abort_pending_) return Close();
  std::string batch;
  while (out_.bytes() + batch.size() < kMaxBufferedOutput) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) return Close();
    if (n == 0) break;
    batch.append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  out_.Append(std::move(batch));
  if (!out_.empty()) {
    size_t written = 0;
    auto r = transport().Write(out_, &written);
    if (written) last_activity_ns_ = loop_->now_ns();
    if (r == OutputQueue::WriteResult::kError) return Close();
  }
  if (!out_.empty()) return;
  bool finished = !nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_);
  if (finished || (draining_ && LiveStreamCount() == 0)) Close();
}

bool Http2Connection::Idle() const {
  return !draining_ && !abort_pending_ && streams_.empty() && out_.empty() && !in_recv_ &&
         nghttp2_session_want_write(session_) == 0;
}

void Http2Connection::BeginDrain() {
  draining_ = true;
  // Streamed bodies may last minutes: end them now (on_close, RST_STREAM
  // CANCEL) rather than wait for the drain time.
  bool reset_any = false;
  for (const auto& [id, s] : streams_) {
    if (!s->channel || s->aborted || s->body_done) continue;
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
    reset_any = true;
  }
  AbortAllStreams();
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                        NGHTTP2_NO_ERROR, nullptr, 0);
  Flush();
  if (closed()) return;
  RunStreamCallbacks();
  // Nothing else to wait for: do not wait for a client that stopped reading
  // to take the resets either.
  if (reset_any && LiveStreamCount() == 0) return Close();
  UpdateInterestAndDeadline();
}

void Http2Connection::OnDeadline() {
  // The deadline is the earliest of a stall check, a late body and the
  // idle timeout (see UpdateInterestAndDeadline).
  bool producing = stall_checked_ns_ != 0;
  if (producing) CheckStalledStreams();
  if (RefuseLateBodies() || producing) return Progress();
  nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
  Flush();
  Close();
}

void Http2Connection::UpdateInterestAndDeadline() {
  SetInterest(out_.bytes() < kMaxBufferedOutput, !out_.empty());
  bool waiting_for_handler = false;
  bool producing = false;    // a streamed body the producer has not finished
  size_t streamed_held = 0;  // streamed bytes the client has not let out
  int64_t body_deadline = 0;
  int64_t body_timeout_ns = context().options.body_timeout_ms * kNsPerMs;
  for (const auto& [id, s] : streams_) {
    if (s->dispatched && !s->responded) waiting_for_handler = true;
    if (s->channel && !s->aborted && !s->body_done && !s->channel->closed()) {
      producing = true;
      streamed_held += s->channel->BufferedBytes();
    }
    if (s->body_started_ns != 0 && !s->dispatched && !s->responded && body_timeout_ns > 0) {
      int64_t when = s->body_started_ns + body_timeout_ns;
      if (body_deadline == 0 || when < body_deadline) body_deadline = when;
    }
  }
  response_share_.Set(response_bytes_ + out_.bytes() + streamed_held);
  if (streamed_held == 0) {
    stall_checked_ns_ = 0;
  } else if (stall_checked_ns_ == 0) {
    stall_checked_ns_ = loop_->now_ns();
  }
  int64_t deadline = 0;
  if (producing) {
    // A stream may be quiet for long (and its client slow): no idle
    // timeout, only the stall check while the client holds bytes back.
    if (streamed_held > 0) deadline = stall_checked_ns_ + kStallCheckNs;
  } else if (!(waiting_for_handler && out_.empty())) {
    deadline = last_activity_ns_ + context().options.idle_timeout_ms * kNsPerMs;
  }
  if (body_deadline != 0 && (deadline == 0 || body_deadline < deadline)) deadline = body_deadline;
  SetDeadline(deadline);
}

}  // namespace sluice::server
