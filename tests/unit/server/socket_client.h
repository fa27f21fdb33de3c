// Test helpers: a blocking loopback TCP client that reads HTTP/1.1 responses
// with deadlines (poll), never sleeping; optionally over TLS (StartTls).
#pragma once

#include <openssl/ssl.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "util/clock.h"

namespace sluice::server::testing {

inline int64_t DeadlineAfterMs(int64_t ms) { return MonotonicNanos() + ms * 1'000'000; }

// Polls `condition` until true or `timeout_ms` passed; returns the last value.
inline bool PollUntil(const std::function<bool()>& condition, int64_t timeout_ms = 5000) {
  int64_t deadline = DeadlineAfterMs(timeout_ms);
  while (!condition()) {
    if (MonotonicNanos() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

class TestSocket {
 public:
  // `receive_buffer` > 0 fixes SO_RCVBUF before connecting (no autotuning),
  // so a test that stops reading knows how little the kernel absorbs.
  explicit TestSocket(uint16_t port, int receive_buffer = 0) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (receive_buffer > 0) setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof(receive_buffer));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~TestSocket() {
    Close();
    if (ssl_ != nullptr) SSL_free(ssl_);
  }
  TestSocket(const TestSocket&) = delete;
  TestSocket& operator=(const TestSocket&) = delete;

  bool connected() const { return connected_; }
  int fd() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // A blocking TLS handshake on the connected socket with `ctx`; `alpn` in
  // wire format ("" offers none). Afterwards every read and write goes
  // through the session. Reads that could block mid-record give up after
  // 10 s (SO_RCVTIMEO), so a broken server fails a test instead of hanging it.
  bool StartTls(SSL_CTX* ctx, std::string_view alpn = {}, const char* host = "localhost") {
    timeval timeout{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ssl_ = SSL_new(ctx);
    SSL_set_fd(ssl_, fd_);
    if (host != nullptr) {
      SSL_set_tlsext_host_name(ssl_, host);
      SSL_set1_host(ssl_, host);
    }
    if (!alpn.empty()) {
      SSL_set_alpn_protos(ssl_, reinterpret_cast<const unsigned char*>(alpn.data()),
                          static_cast<unsigned int>(alpn.size()));
    }
    return SSL_connect(ssl_) == 1;
  }
  SSL* ssl() const { return ssl_; }
  // The protocol ALPN selected ("" when none).
  std::string Alpn() const {
    const unsigned char* data = nullptr;
    unsigned int length = 0;
    if (ssl_ != nullptr) SSL_get0_alpn_selected(ssl_, &data, &length);
    return data == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(data), length);
  }

  // Whether a Recv() would return at once, waiting up to `timeout_ms`.
  bool Readable(int64_t timeout_ms) {
    if (ssl_ != nullptr && SSL_pending(ssl_) > 0) return true;
    if (timeout_ms < 0) timeout_ms = 0;
    pollfd p{fd_, POLLIN, 0};
    return poll(&p, 1, static_cast<int>(timeout_ms)) > 0;
  }
  // One read (socket or TLS): >0 bytes, <=0 end or error.
  ssize_t Recv(char* buffer, size_t length) {
    if (ssl_ == nullptr) return ::recv(fd_, buffer, length, 0);
    int n = SSL_read(ssl_, buffer, static_cast<int>(length));
    return n > 0 ? n : -1;
  }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ssl_ != nullptr ? SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()))
                                  : ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads more bytes into buffer_; false on EOF, error or deadline.
  bool ReadMore(int64_t deadline_ns) {
    int64_t left_ms = (deadline_ns - MonotonicNanos()) / 1'000'000;
    if (left_ms <= 0) return false;
    if (!Readable(left_ms)) return false;
    char chunk[65536];
    ssize_t n = Recv(chunk, sizeof(chunk));
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
    return true;
  }

  // Bytes read but not yet consumed.
  const std::string& Buffered() const { return buffer_; }

  // Reads until `text` is buffered and returns everything up to and
  // including it (consumed), or nullopt.
  std::optional<std::string> ReadUntil(std::string_view text, int64_t timeout_ms = 5000) {
    int64_t deadline = DeadlineAfterMs(timeout_ms);
    while (true) {
      size_t at = buffer_.find(text);
      if (at != std::string::npos) {
        std::string out = buffer_.substr(0, at + text.size());
        buffer_.erase(0, at + text.size());
        return out;
      }
      if (!ReadMore(deadline)) return std::nullopt;
    }
  }

  // Reads until `text` is buffered, consuming nothing; false on timeout.
  bool WaitForBuffered(std::string_view text, int64_t timeout_ms = 5000) {
    int64_t deadline = DeadlineAfterMs(timeout_ms);
    while (buffer_.find(text) == std::string::npos) {
      if (!ReadMore(deadline)) return false;
    }
    return true;
  }

  struct Response {
    int status = 0;
    std::string head;  // status line and headers
    std::string body;
    bool HasHeader(std::string_view line) const { return head.find(line) != std::string::npos; }
  };

  // Reads one response framed by Content-Length or, when the head says
  // "Transfer-Encoding: chunked", by chunks (the body is returned decoded).
  std::optional<Response> ReadResponse(int64_t timeout_ms = 5000) {
    auto head = ReadUntil("\r\n\r\n", timeout_ms);
    if (!head) return std::nullopt;
    Response r;
    r.head = *head;
    if (r.head.size() < 12) return std::nullopt;
    r.status = std::stoi(r.head.substr(9, 3));
    if (r.HasHeader("Transfer-Encoding: chunked\r\n")) {
      auto body = ReadChunkedBody(DeadlineAfterMs(timeout_ms));
      if (!body) return std::nullopt;
      r.body = std::move(*body);
      return r;
    }
    size_t length = 0;
    size_t at = r.head.find("Content-Length: ");
    if (at != std::string::npos) length = std::stoul(r.head.substr(at + 16));
    int64_t deadline = DeadlineAfterMs(timeout_ms);
    while (buffer_.size() < length) {
      if (!ReadMore(deadline)) return std::nullopt;
    }
    r.body = buffer_.substr(0, length);
    buffer_.erase(0, length);
    return r;
  }

  // Decodes a chunked body (no trailers) from the stream; nullopt on bad
  // framing, EOF or deadline. Consumes as it goes, so a large body costs
  // about its own size.
  std::optional<std::string> ReadChunkedBody(int64_t deadline_ns) {
    std::string body;
    size_t at = 0;
    while (true) {
      size_t eol;
      while ((eol = buffer_.find("\r\n", at)) == std::string::npos) {
        if (!ReadMore(deadline_ns)) return std::nullopt;
      }
      std::string_view digits(buffer_.data() + at, eol - at);
      if (digits.empty() || digits.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
        return std::nullopt;
      }
      size_t size = std::stoul(std::string(digits), nullptr, 16);
      at = eol + 2;
      while (buffer_.size() - at < size + 2) {
        if (!ReadMore(deadline_ns)) return std::nullopt;
      }
      if (buffer_.compare(at + size, 2, "\r\n") != 0) return std::nullopt;
      body.append(buffer_, at, size);
      at += size + 2;
      if (size == 0) break;
      if (at > (1u << 20)) {
        buffer_.erase(0, at);
        at = 0;
      }
    }
    buffer_.erase(0, at);
    return body;
  }

  // Reads everything until the server closes the connection; nullopt on
  // deadline. Returns the bytes not yet consumed plus the rest.
  std::optional<std::string> ReadToEof(int64_t timeout_ms = 5000) {
    int64_t deadline = DeadlineAfterMs(timeout_ms);
    while (!eof_) {
      if (!ReadMore(deadline) && !eof_) return std::nullopt;
    }
    std::string out = std::move(buffer_);
    buffer_.clear();
    return out;
  }

  // True once the server closed the connection (EOF or reset) within the
  // timeout, discarding any bytes before it.
  bool WaitForEof(int64_t timeout_ms = 5000) {
    int64_t deadline = DeadlineAfterMs(timeout_ms);
    while (!eof_) {
      int64_t left_ms = (deadline - MonotonicNanos()) / 1'000'000;
      if (left_ms <= 0) return false;
      if (!Readable(left_ms)) return false;
      char chunk[4096];
      ssize_t n = Recv(chunk, sizeof(chunk));
      if (n <= 0) eof_ = true;
    }
    return true;
  }

 private:
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  bool connected_ = false;
  bool eof_ = false;
  std::string buffer_;
};

}  // namespace sluice::server::testing
