#include "client/http_connection.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "client/signer.h"
#include "util/clock.h"

namespace sluice::client {
namespace {

constexpr int kStopCheckMs = 100;

Error Transport(std::string type, std::string message) { return Error{std::move(type), std::move(message), 0}; }

std::string OpenSslErrors() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

}  // namespace

Outcome<std::shared_ptr<TlsContext>> TlsContext::Create(const ClientConfig& config) {
  auto ctx = std::shared_ptr<TlsContext>(new TlsContext());
  ctx->ctx_ = SSL_CTX_new(TLS_client_method());
  if (ctx->ctx_ == nullptr) return Transport("TlsError", "SSL_CTX_new: " + OpenSslErrors());
  SSL_CTX_set_min_proto_version(ctx->ctx_, TLS1_2_VERSION);
  ctx->verify_ = config.verify_tls;
  if (config.verify_tls) {
    const int loaded = config.ca_file.empty()
                           ? SSL_CTX_set_default_verify_paths(ctx->ctx_)
                           : SSL_CTX_load_verify_locations(ctx->ctx_, config.ca_file.c_str(), nullptr);
    if (loaded != 1) {
      return Transport("TlsError", "cannot load the CA bundle " +
                                       (config.ca_file.empty() ? std::string("(system)") : config.ca_file) +
                                       ": " + OpenSslErrors());
    }
    SSL_CTX_set_verify(ctx->ctx_, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(ctx->ctx_, SSL_VERIFY_NONE, nullptr);
  }
  return ctx;
}

TlsContext::~TlsContext() {
  if (ctx_ != nullptr) SSL_CTX_free(ctx_);
}

HttpConnection::HttpConnection(EndpointAddress endpoint, int64_t timeout_ms, std::shared_ptr<TlsContext> tls)
    : endpoint_(std::move(endpoint)), timeout_ms_(timeout_ms), tls_(std::move(tls)) {}

HttpConnection::~HttpConnection() { Close(); }

void HttpConnection::Close() {
  if (ssl_ != nullptr) {
    SSL_free(ssl_);
    ssl_ = nullptr;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Error HttpConnection::SslError(const std::string& what) {
  std::string detail = OpenSslErrors();
  if (ssl_ != nullptr) {
    const long verify = SSL_get_verify_result(ssl_);
    if (verify != X509_V_OK) detail += std::string(detail.empty() ? "" : "; ") + X509_verify_cert_error_string(verify);
  }
  return Transport("TlsError", what + (detail.empty() ? "" : ": " + detail));
}

Outcome<Done> HttpConnection::Connect() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(endpoint_.port);
  const int rc = ::getaddrinfo(endpoint_.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) return Transport("ConnectionError", "cannot resolve " + endpoint_.host + ": " + gai_strerror(rc));
  std::string last_error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    int r = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (r != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      r = ::poll(&p, 1, static_cast<int>(timeout_ms_));
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
    if (r == 0) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_ = fd;
      break;
    }
    last_error = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  if (fd_ < 0) {
    return Transport("ConnectionError", "cannot connect to " + endpoint_.host_header + ": " + last_error);
  }
  if (!endpoint_.tls) return Done{};

  ssl_ = SSL_new(tls_->get());
  SSL_set_fd(ssl_, fd_);
  SSL_set_tlsext_host_name(ssl_, endpoint_.host.c_str());
  if (tls_->verify()) {
    in6_addr ip6;
    in_addr ip4;
    if (inet_pton(AF_INET, endpoint_.host.c_str(), &ip4) == 1 || inet_pton(AF_INET6, endpoint_.host.c_str(), &ip6) == 1) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), endpoint_.host.c_str());
    } else {
      SSL_set1_host(ssl_, endpoint_.host.c_str());
    }
  }
  const int64_t deadline = MonotonicMillis() + timeout_ms_;
  while (true) {
    const int r = SSL_connect(ssl_);
    if (r == 1) break;
    const int e = SSL_get_error(ssl_, r);
    if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
      Error err = SslError("TLS handshake with " + endpoint_.host_header + " failed");
      Close();
      return err;
    }
    const int64_t left = deadline - MonotonicMillis();
    pollfd p{fd_, static_cast<short>(e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT), 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
      Close();
      return Transport("TimeoutError", "TLS handshake with " + endpoint_.host_header + " timed out");
    }
  }
  return Done{};
}

Outcome<Done> HttpConnection::SendAll(std::string_view bytes) {
  const int64_t deadline = MonotonicMillis() + timeout_ms_;
  while (!bytes.empty()) {
    short want = POLLOUT;
    long n;
    if (ssl_ != nullptr) {
      n = SSL_write(ssl_, bytes.data(), static_cast<int>(std::min<size_t>(bytes.size(), 1 << 30)));
      if (n <= 0) {
        const int e = SSL_get_error(ssl_, static_cast<int>(n));
        if (e == SSL_ERROR_WANT_READ) want = POLLIN;
        else if (e != SSL_ERROR_WANT_WRITE) return SslError("TLS write failed");
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
      return Transport("ConnectionError", std::string("send: ") + std::strerror(errno));
    }
    const int64_t left = deadline - MonotonicMillis();
    pollfd p{fd_, want, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
      return Transport("TimeoutError", "sending to " + endpoint_.host_header + " timed out");
    }
  }
  return Done{};
}

long HttpConnection::ReadSome(char* buf, size_t n, int64_t idle_timeout_ms, const std::function<bool()>& stop,
                              Error* error) {
  const int64_t deadline = MonotonicMillis() + idle_timeout_ms;
  while (true) {
    short want = POLLIN;
    if (ssl_ != nullptr) {
      const int r = SSL_read(ssl_, buf, static_cast<int>(n));
      if (r > 0) return r;
      const int e = SSL_get_error(ssl_, r);
      if (e == SSL_ERROR_ZERO_RETURN) return 0;
      if (e == SSL_ERROR_WANT_WRITE) {
        want = POLLOUT;
      } else if (e != SSL_ERROR_WANT_READ) {
        if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return 0;  // closed without close_notify
        *error = SslError("TLS read failed");
        return -1;
      }
    } else {
      const ssize_t r = ::recv(fd_, buf, n, 0);
      if (r >= 0) return r;
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        *error = Transport("ConnectionError", std::string("recv: ") + std::strerror(errno));
        return -1;
      }
    }
    while (true) {
      if (stop && stop()) {
        *error = Transport("Stopped", "stopped");
        return -1;
      }
      const int64_t left = deadline - MonotonicMillis();
      if (left <= 0) {
        *error = Transport("TimeoutError", "no answer from " + endpoint_.host_header + " within " +
                                               std::to_string(idle_timeout_ms) + " ms");
        return -1;
      }
      pollfd p{fd_, want, 0};
      const int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left, stop ? kStopCheckMs : left)));
      if (r > 0) break;
      if (r < 0 && errno != EINTR) {
        *error = Transport("ConnectionError", std::string("poll: ") + std::strerror(errno));
        return -1;
      }
    }
  }
}

Outcome<Done> HttpConnection::RoundTrip(std::string_view request, bench::ResponseParser* parser,
                                        int64_t idle_timeout_ms, const std::function<bool()>& stop,
                                        bool* got_bytes) {
  *got_bytes = false;
  if (fd_ < 0) {
    Outcome<Done> c = Connect();
    if (!c.ok()) return c;
  }
  Outcome<Done> sent = SendAll(request);
  if (!sent.ok()) {
    Close();
    return sent;
  }
  char buf[64 * 1024];
  while (!parser->complete()) {
    Error error;
    const long n = ReadSome(buf, sizeof buf, idle_timeout_ms, stop, &error);
    if (n < 0) {
      Close();
      return error;
    }
    if (n == 0) {
      parser->FeedEof();
      if (parser->complete()) break;
      Close();
      return Transport("ConnectionError", *got_bytes ? "connection closed mid-answer" : "connection closed");
    }
    *got_bytes = true;
    size_t used = 0;
    while (used < static_cast<size_t>(n) && !parser->complete() && !parser->failed()) {
      used += parser->Feed(buf + used, static_cast<size_t>(n) - used);
    }
    if (parser->failed()) {
      Close();
      return Transport("ProtocolError", "bad HTTP answer: " + parser->error());
    }
  }
  if (!parser->keep_alive()) Close();
  return Done{};
}

std::string BuildKinesisRequest(const ClientConfig& config, const EndpointAddress& endpoint,
                                std::string_view operation, std::string_view body, int64_t now_seconds) {
  const std::string amz_date = AmzDate(now_seconds);
  SigningRequest signing;
  signing.headers = {{"Host", endpoint.host_header},
                     {"Content-Type", "application/x-amz-json-1.1"},
                     {"X-Amz-Target", "Kinesis_20131202." + std::string(operation)},
                     {"X-Amz-Date", amz_date}};
  if (!config.credentials.session_token.empty()) {
    signing.headers.emplace_back("X-Amz-Security-Token", config.credentials.session_token);
  }
  signing.body = body;
  const std::string authorization =
      AuthorizationHeader(config.credentials, config.region, "kinesis", amz_date, signing);
  std::string out;
  out.reserve(body.size() + 768);
  out.append("POST / HTTP/1.1\r\n");
  for (const auto& [name, value] : signing.headers) out.append(name).append(": ").append(value).append("\r\n");
  out.append("Authorization: ").append(authorization).append("\r\n");
  out.append("User-Agent: sluice-client/0.1\r\n");
  out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n");
  out.append(body);
  return out;
}

}  // namespace sluice::client
