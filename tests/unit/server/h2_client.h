// Test helper: a minimal HTTP/2 prior-knowledge client on an nghttp2 client
// session over a real blocking socket, pumped with poll() and deadlines;
// with an SSL_CTX, over TLS with ALPN "h2".
#pragma once

#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/socket_client.h"

namespace sluice::server::testing {

class H2Client {
 public:
  struct Response {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    bool closed = false;
    uint32_t error_code = 0;
    std::string Header(const std::string& name) const {
      for (const auto& [n, v] : headers)
        if (n == name) return v;
      return {};
    }
  };

  // `settings` go in the client's first SETTINGS frame. `alpn` (with `tls`): the protocols
  // offered in wire format; none means the preface follows the handshake unannounced.
  explicit H2Client(uint16_t port, std::vector<nghttp2_settings_entry> settings = {}, SSL_CTX* tls = nullptr,
                    std::string_view alpn = std::string_view("\x02h2", 3))
      : socket_(port) {
    if (tls != nullptr && socket_.connected()) {
      tls_ok_ = socket_.StartTls(tls, alpn) && socket_.Alpn() == (alpn.empty() ? "" : "h2");
      scheme_ = "https";
    }
    nghttp2_session_callbacks* cb;
    nghttp2_session_callbacks_new(&cb);
    nghttp2_session_callbacks_set_on_header_callback(cb, &H2Client::OnHeader);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, &H2Client::OnData);
    nghttp2_session_callbacks_set_on_stream_close_callback(cb, &H2Client::OnClose);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cb, &H2Client::OnFrame);
    nghttp2_session_client_new(&session_, cb, this);
    nghttp2_session_callbacks_del(cb);
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
  }
  ~H2Client() { nghttp2_session_del(session_); }

  bool connected() const { return socket_.connected() && tls_ok_; }
  nghttp2_session* session() { return session_; }

  // Submits a request; returns its stream id.
  int32_t Submit(const std::string& method, const std::string& path, std::string body,
                 std::vector<std::pair<std::string, std::string>> extra = {}) {
    std::vector<std::pair<std::string, std::string>> fields = {
        {":method", method}, {":scheme", scheme_}, {":authority", "localhost"}, {":path", path}};
    for (auto& f : extra) fields.push_back(std::move(f));
    std::vector<nghttp2_nv> nva;
    for (auto& [n, v] : fields) {
      nva.push_back({reinterpret_cast<uint8_t*>(n.data()), reinterpret_cast<uint8_t*>(v.data()), n.size(), v.size(),
                     NGHTTP2_NV_FLAG_NONE});
    }
    auto upload = std::make_unique<Upload>();
    upload->data = std::move(body);
    nghttp2_data_provider provider{};
    provider.source.ptr = upload.get();
    provider.read_callback = &H2Client::ReadUpload;
    bool has_body = !upload->data.empty();
    int32_t id =
        nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), has_body ? &provider : nullptr, nullptr);
    uploads_[id] = std::move(upload);
    responses_[id];
    return id;
  }

  // Exchanges bytes until `done()` or the deadline; false on timeout/EOF.
  bool RunUntil(const std::function<bool()>& done, int64_t timeout_ms = 10000) {
    int64_t deadline = DeadlineAfterMs(timeout_ms);
    while (!done()) {
      const uint8_t* data;
      ssize_t n;
      while ((n = nghttp2_session_mem_send(session_, &data)) > 0) {
        if (!socket_.Send(std::string_view(reinterpret_cast<const char*>(data), static_cast<size_t>(n)))) return false;
      }
      if (n < 0) return false;
      if (done()) return true;
      int64_t left_ms = (deadline - MonotonicNanos()) / 1'000'000;
      if (left_ms <= 0) return false;
      // Short slices: `done` may depend on server-side state (a handler was
      // called) that produces no bytes for us.
      if (!socket_.Readable(left_ms < 10 ? left_ms : 10)) continue;
      char buffer[65536];
      ssize_t got = socket_.Recv(buffer, sizeof(buffer));
      if (got <= 0) {
        eof_ = true;
        return done();
      }
      if (nghttp2_session_mem_recv(session_, reinterpret_cast<uint8_t*>(buffer), static_cast<size_t>(got)) < 0) {
        return false;
      }
    }
    return true;
  }

  // A PING round trip: once its ACK is back, the server has processed
  // everything sent before it. False on timeout.
  bool RoundTrip(int64_t timeout_ms = 5000) {
    int target = ping_acks_ + 1;
    nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, nullptr);
    return RunUntil([&] { return ping_acks_ >= target; }, timeout_ms);
  }

  // Request body bytes handed to the session so far (flow control permitting).
  size_t UploadedBytes() const {
    size_t total = 0;
    for (const auto& [id, u] : uploads_) total += u->offset;
    return total;
  }

  bool AllClosed() {
    for (auto& [id, r] : responses_)
      if (!r.closed) return false;
    return true;
  }

  Response& response(int32_t id) { return responses_[id]; }
  bool eof() const { return eof_; }
  // SETTINGS frames (not ACKs) received from the server.
  int settings_received() const { return settings_; }
  TestSocket& socket() { return socket_; }

 private:
  struct Upload {
    std::string data;
    size_t offset = 0;
  };

  static ssize_t ReadUpload(nghttp2_session*, int32_t, uint8_t* buf, size_t length, uint32_t* flags,
                            nghttp2_data_source* source, void*) {
    auto* u = static_cast<Upload*>(source->ptr);
    size_t n = std::min(length, u->data.size() - u->offset);
    std::memcpy(buf, u->data.data() + u->offset, n);
    u->offset += n;
    if (u->offset == u->data.size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
                      const uint8_t* value, size_t valuelen, uint8_t, void* self) {
    auto* c = static_cast<H2Client*>(self);
    std::string n(reinterpret_cast<const char*>(name), namelen);
    std::string v(reinterpret_cast<const char*>(value), valuelen);
    Response& r = c->responses_[frame->hd.stream_id];
    if (n == ":status")
      r.status = std::stoi(v);
    else
      r.headers.emplace_back(std::move(n), std::move(v));
    return 0;
  }
  static int OnData(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len, void* self) {
    static_cast<H2Client*>(self)->responses_[id].body.append(reinterpret_cast<const char*>(data), len);
    return 0;
  }
  static int OnFrame(nghttp2_session*, const nghttp2_frame* frame, void* self) {
    auto* c = static_cast<H2Client*>(self);
    if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK)) ++c->ping_acks_;
    if (frame->hd.type == NGHTTP2_SETTINGS && !(frame->hd.flags & NGHTTP2_FLAG_ACK)) ++c->settings_;
    return 0;
  }
  static int OnClose(nghttp2_session*, int32_t id, uint32_t error_code, void* self) {
    auto& r = static_cast<H2Client*>(self)->responses_[id];
    r.closed = true;
    r.error_code = error_code;
    return 0;
  }

  TestSocket socket_;
  bool tls_ok_ = true;
  std::string scheme_ = "http";
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, std::unique_ptr<Upload>> uploads_;
  std::map<int32_t, Response> responses_;
  bool eof_ = false;
  int ping_acks_ = 0;
  int settings_ = 0;
};

}  // namespace sluice::server::testing
