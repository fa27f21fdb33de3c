#include "http/socket.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/clock.h"

namespace sluice::http {
namespace {

constexpr int kStopCheckMs = 100;

// Connects one address within timeout_ms; the descriptor, or -1 with errno set.
int ConnectOne(const addrinfo* a, int64_t timeout_ms) {
  const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
  if (fd < 0) return -1;
  int r = ::connect(fd, a->ai_addr, a->ai_addrlen);
  if (r != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    r = ::poll(&p, 1, static_cast<int>(timeout_ms));
    if (r == 1) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
      r = err == 0 ? 0 : -1;
      errno = err;
    } else {
      errno = r == 0 ? ETIMEDOUT : errno;
      r = -1;
    }
  }
  if (r != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

Result<std::unique_ptr<Socket>> Socket::Connect(const Url& url, const TlsContext* tls, int64_t timeout_ms) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  const int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) return Status::ConnectionFailed("cannot resolve " + url.host + ": " + gai_strerror(rc));
  int fd = -1;
  std::string last_error = "no address";
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ConnectOne(a, timeout_ms);
    if (fd < 0) last_error = std::strerror(errno);
  }
  ::freeaddrinfo(found);
  if (fd < 0) return Status::ConnectionFailed("cannot connect to " + url.host_header + ": " + last_error);
  std::unique_ptr<Socket> socket(new Socket(fd, url.host_header));
  if (url.tls) {
    if (tls == nullptr) return Status::TlsFailed("no TLS context for " + url.host_header);
    SLUICE_RETURN_IF_ERROR(socket->Handshake(url, *tls, timeout_ms));
  }
  return socket;
}

Socket::~Socket() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  ::close(fd_);
}

Status Socket::SslError(const std::string& what) {
  std::string detail = OpenSslErrors();
  if (ssl_ != nullptr) {
    const long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK) detail += std::string(detail.empty() ? "" : "; ") + X509_verify_cert_error_string(verify);
  }
  return Status::TlsFailed(what + (detail.empty() ? "" : ": " + detail));
}

Status Socket::Handshake(const Url& url, const TlsContext& tls, int64_t timeout_ms) {
  ssl_ = SSL_new(tls.get());
  if (ssl_ == nullptr) return SslError("SSL_new");
  SSL_set_fd(ssl_, fd_);
  SSL_set_tlsext_host_name(ssl_, url.host.c_str());
  if (tls.verify()) {
    in6_addr ip6;
    in_addr ip4;
    if (inet_pton(AF_INET, url.host.c_str(), &ip4) == 1 || inet_pton(AF_INET6, url.host.c_str(), &ip6) == 1) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), url.host.c_str());
    } else {
      SSL_set1_host(ssl_, url.host.c_str());
    }
  }
  const int64_t deadline = MonotonicMillis() + timeout_ms;
  while (true) {
    const int r = SSL_connect(ssl_);
    if (r == 1) return Status::Ok();
    const int e = SSL_get_error(ssl_, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      return SslError("TLS handshake with " + peer_ + " failed");
    }
    const int64_t left = deadline - MonotonicMillis();
    pollfd p{fd_, static_cast<short>(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
      return Status::TimedOut("TLS handshake with " + peer_ + " timed out");
    }
  }
}

std::string Socket::alpn() const {
  if (ssl_ == nullptr) return "";
  const unsigned char* data = nullptr;
  unsigned len = 0;
  SSL_get0_alpn_selected(ssl_, &data, &len);
  return std::string(reinterpret_cast<const char*>(data), len);
}

Status Socket::WriteAll(std::string_view bytes, int64_t timeout_ms) {
  const int64_t deadline = MonotonicMillis() + timeout_ms;
  while (!bytes.empty()) {
    short want = POLLOUT;
    long n;
    if (ssl_ != nullptr) {
      n = SSL_write(ssl_, bytes.data(), static_cast<int>(std::min<size_t>(bytes.size(), 1 << 30)));
      if (n <= 0) {
        const int e = SSL_get_error(ssl_, static_cast<int>(n));
        if (e == SSL_ERROR_WANT_READ)
          want = POLLIN;
        else if (e != SSL_ERROR_WANT_WRITE)
          return SslError("TLS write failed");
        n = -1;
        errno = EAGAIN;
      }
    } else {
      n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    }
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return Status::ConnectionFailed(std::string("send: ") + std::strerror(errno));
    }
    const int64_t left = deadline - MonotonicMillis();
    pollfd p{fd_, want, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
      return Status::TimedOut("sending to " + peer_ + " timed out");
    }
  }
  return Status::Ok();
}

Result<size_t> Socket::ReadSome(char* buf, size_t n, int64_t idle_timeout_ms, const StopFn& stop) {
  const int64_t deadline = MonotonicMillis() + idle_timeout_ms;
  while (true) {
    short want = POLLIN;
    if (ssl_ != nullptr) {
      const int r = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(n, 1 << 30)));
      if (r > 0) return static_cast<size_t>(r);
      const int e = SSL_get_error(ssl_, r);
      if (e == SSL_ERROR_ZERO_RETURN) return size_t{0};
      if (e == SSL_ERROR_WANT_WRITE) {
        want = POLLOUT;
      } else if (e != SSL_ERROR_WANT_READ) {
        if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return size_t{0};  // closed without close_notify
        return SslError("TLS read failed");
      }
    } else {
      const ssize_t r = ::recv(fd_, buf, n, 0);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        return Status::ConnectionFailed(std::string("recv: ") + std::strerror(errno));
      }
    }
    while (true) {
      if (stop && stop()) return Status::Cancelled("stopped");
      const int64_t left = deadline - MonotonicMillis();
      if (left <= 0) {
        return Status::TimedOut("no answer from " + peer_ + " within " + std::to_string(idle_timeout_ms) + " ms");
      }
      pollfd p{fd_, want, 0};
      const int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, stop ? kStopCheckMs : left)));
      if (r > 0) break;
      if (r < 0 && errno != EINTR) return Status::ConnectionFailed(std::string("poll: ") + std::strerror(errno));
    }
  }
}

}  // namespace sluice::http
