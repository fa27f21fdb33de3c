#include "http/http2_connection.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "util/ascii.h"

namespace sluice::http {

struct Http2Connection::Call {
  int32_t stream_id = 0;
  const std::string* body = nullptr;
  size_t sent = 0;
  Response* response = nullptr;
  BodySink* sink = nullptr;
  bool closed = false;
  uint32_t error_code = 0;
};

Http2Connection::Http2Connection(Url url, std::shared_ptr<TlsContext> tls, int64_t connect_timeout_ms)
    : url_(std::move(url)), tls_(std::move(tls)), connect_timeout_ms_(connect_timeout_ms) {}

Http2Connection::~Http2Connection() { Close(); }

void Http2Connection::Close() {
  if (session_ != nullptr) nghttp2_session_del(session_);
  session_ = nullptr;
  socket_.reset();
}

Status Http2Connection::Open() {
  SLUICE_ASSIGN_OR_RETURN(socket_, Socket::Connect(url_, tls_.get(), connect_timeout_ms_));
  if (url_.tls && socket_->alpn() != "h2") {
    Close();
    return Status::BadResponse(url_.host_header + " did not choose HTTP/2 (h2) by ALPN");
  }
  nghttp2_session_callbacks* cb;
  nghttp2_session_callbacks_new(&cb);
  nghttp2_session_callbacks_set_on_header_callback(cb, &Http2Connection::OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &Http2Connection::OnData);
  nghttp2_session_callbacks_set_on_stream_close_callback(cb, &Http2Connection::OnStreamClose);
  const int rc = nghttp2_session_client_new(&session_, cb, this);
  nghttp2_session_callbacks_del(cb);
  if (rc != 0) {
    Close();
    return Status::Internal(std::string("nghttp2_session_client_new: ") + nghttp2_strerror(rc));
  }
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, nullptr, 0);
  return Status::Ok();
}

Status Http2Connection::Flush() {
  const uint8_t* data;
  ssize_t n;
  while ((n = nghttp2_session_mem_send(session_, &data)) > 0) {
    SLUICE_RETURN_IF_ERROR(socket_->WriteAll(
        std::string_view(reinterpret_cast<const char*>(data), static_cast<size_t>(n)), connect_timeout_ms_));
  }
  if (n < 0) return Status::BadResponse(std::string("HTTP/2 session: ") + nghttp2_strerror(static_cast<int>(n)));
  return Status::Ok();
}

Status Http2Connection::Exchange(const Request& request, const ExchangeOptions& options, Response* response,
                                 bool* got_bytes) {
  *got_bytes = false;
  if (socket_ == nullptr) SLUICE_RETURN_IF_ERROR(Open());
  response->status = 0;
  response->headers.clear();
  response->body.clear();

  std::string authority(url_.host_header);
  std::vector<std::pair<std::string_view, std::string_view>> fields = {{":method", request.method},
                                                                       {":scheme", url_.tls ? "https" : "http"},
                                                                       {":authority", {}},
                                                                       {":path", request.target}};
  for (const auto& [name, value] : request.headers) {
    if (EqualsIgnoreCase(name, "host")) {
      authority = value;
    } else {
      fields.emplace_back(name, value);
    }
  }
  fields[2].second = authority;
  std::vector<std::string> lower;  // HTTP/2 field names are lower case
  lower.reserve(fields.size());
  std::vector<nghttp2_nv> nva;
  nva.reserve(fields.size());
  for (const auto& [name, value] : fields) {
    std::string& n = lower.emplace_back(name);
    for (char& c : n) c = AsciiLower(c);
    nva.push_back({reinterpret_cast<uint8_t*>(n.data()), reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())),
                   n.size(), value.size(), NGHTTP2_NV_FLAG_NONE});
  }

  Call call;
  call.body = &request.body;
  call.response = response;
  call.sink = options.sink;
  nghttp2_data_provider provider{};
  provider.read_callback = &Http2Connection::ReadBody;
  provider.source.ptr = &call;
  call.stream_id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(),
                                          request.body.empty() ? nullptr : &provider, nullptr);
  if (call.stream_id < 0) {
    Close();
    return Status::Internal(std::string("nghttp2_submit_request: ") + nghttp2_strerror(call.stream_id));
  }
  call_ = &call;
  Status status = Status::Ok();
  char buf[64 * 1024];
  while (!call.closed) {
    status = Flush();
    if (!status.ok()) break;
    Result<size_t> n = socket_->ReadSome(buf, sizeof buf, options.idle_timeout_ms, options.stop);
    if (!n.ok()) {
      status = n.status();
      break;
    }
    if (*n == 0) {
      status = Status::ConnectionFailed(*got_bytes ? "connection closed mid-answer" : "connection closed");
      break;
    }
    *got_bytes = true;
    const ssize_t used = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(buf), *n);
    if (used < 0) {
      status = Status::BadResponse(std::string("bad HTTP/2 answer: ") + nghttp2_strerror(static_cast<int>(used)));
      break;
    }
  }
  call_ = nullptr;
  if (status.ok()) status = Flush();  // WINDOW_UPDATEs and ACKs owed
  if (status.ok() && call.error_code == NGHTTP2_REFUSED_STREAM && response->status == 0) {
    // Refused unprocessed (a GOAWAY the idle connection had not read yet):
    // safe to send again on a new connection.
    *got_bytes = false;
    status = Status::ConnectionFailed("the server refused the HTTP/2 stream unprocessed");
  }
  if (status.ok() && call.error_code != NGHTTP2_NO_ERROR) {
    status = Status::BadResponse("the server reset the HTTP/2 stream (error " + std::to_string(call.error_code) + ")");
  }
  if (status.ok() && response->status == 0) status = Status::BadResponse("HTTP/2 answer without :status");
  // After an error or a GOAWAY this connection carries no more requests.
  if (!status.ok() || (!nghttp2_session_want_read(session_) && !nghttp2_session_want_write(session_))) Close();
  return status;
}

ssize_t Http2Connection::ReadBody(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                                  nghttp2_data_source* source, void*) {
  auto* call = static_cast<Call*>(source->ptr);
  const size_t n = std::min(length, call->body->size() - call->sent);
  std::memcpy(buf, call->body->data() + call->sent, n);
  call->sent += n;
  if (call->sent == call->body->size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

int Http2Connection::OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                              const uint8_t* value, size_t valuelen, uint8_t, void* self) {
  Call* call = static_cast<Http2Connection*>(self)->call_;
  if (call == nullptr || frame->hd.stream_id != call->stream_id) return 0;
  const std::string_view n(reinterpret_cast<const char*>(name), namelen);
  const std::string_view v(reinterpret_cast<const char*>(value), valuelen);
  if (n == ":status") {
    int code = 0;
    for (char c : v) code = c >= '0' && c <= '9' ? code * 10 + (c - '0') : -1000;
    if (code >= 200) call->response->status = code;  // 1xx heads are informational
  } else if (n.empty() || n[0] != ':') {
    call->response->headers.emplace_back(n, v);
  }
  return 0;
}

int Http2Connection::OnData(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len, void* self) {
  Call* call = static_cast<Http2Connection*>(self)->call_;
  if (call == nullptr || id != call->stream_id || len == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data), len);
  if (call->sink != nullptr) {
    call->sink->OnBody(call->response->status, bytes);
  } else {
    call->response->body.append(bytes);
  }
  return 0;
}

int Http2Connection::OnStreamClose(nghttp2_session*, int32_t id, uint32_t error_code, void* self) {
  Call* call = static_cast<Http2Connection*>(self)->call_;
  if (call != nullptr && id == call->stream_id) {
    call->closed = true;
    call->error_code = error_code;
  }
  return 0;
}

}  // namespace sluice::http
