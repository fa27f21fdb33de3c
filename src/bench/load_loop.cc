#include "bench/load_loop.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "util/clock.h"

namespace sluice::bench {
namespace {

constexpr size_t kReadBufferSize = 256 * 1024;
constexpr int64_t kConnectTimeoutMs = 5000;
constexpr uint64_t kMaxTransportErrors = 1000;

}  // namespace

Result<Endpoint> ParseEndpoint(std::string_view url) {
  std::string_view rest = url;
  if (rest.substr(0, 7) == "http://") {
    rest.remove_prefix(7);
  } else if (rest.find("://") != std::string_view::npos) {
    return Status::InvalidArgument("only http:// endpoints are supported: " + std::string(url));
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  const size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument("endpoint needs a port: " + std::string(url));
  }
  std::string host(rest.substr(0, colon));
  std::string_view port_text = rest.substr(colon + 1);
  int port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9' || port > 65535) {
      port = -1;
      break;
    }
    port = port * 10 + (c - '0');
  }
  if (port_text.empty() || port <= 0 || port > 65535) {
    return Status::InvalidArgument("bad port in endpoint: " + std::string(url));
  }
  std::string ip = host == "localhost" ? "127.0.0.1" : host;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1) {
    return Status::InvalidArgument("endpoint host must be an IPv4 address or localhost: " + host);
  }
  Endpoint endpoint;
  endpoint.addr = addr;
  endpoint.host_header = host + ":" + std::string(port_text);
  return endpoint;
}

LoadLoop::LoadLoop(const Endpoint& endpoint, int connections)
    : endpoint_(endpoint), conns_(static_cast<size_t>(std::max(connections, 1))), rbuf_(new char[kReadBufferSize]) {}

LoadLoop::~LoadLoop() {
  for (size_t i = 0; i < conns_.size(); ++i) Close(static_cast<int>(i));
  if (epfd_ >= 0) ::close(epfd_);
}

Status LoadLoop::Connect(int i) {
  Conn& c = conns_[i];
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return Status::IoError(std::string("socket: ") + std::strerror(errno));
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&endpoint_.addr), sizeof(endpoint_.addr));
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    rc = ::poll(&p, 1, kConnectTimeoutMs);
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    if (rc == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == 0 && soerr == 0) {
      rc = 0;
    } else {
      errno = rc == 0 ? ETIMEDOUT : (soerr ? soerr : errno);
      rc = -1;
    }
  }
  if (rc != 0) {
    Status failed = Status::ConnectionFailed("connect to " + endpoint_.host_header + ": " + std::strerror(errno));
    ::close(fd);
    return failed;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u32 = static_cast<uint32_t>(i);
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    Status failed = Status::IoError(std::string("epoll_ctl: ") + std::strerror(errno));
    ::close(fd);
    return failed;
  }
  c.fd = fd;
  c.want_write = false;
  return Status::Ok();
}

void LoadLoop::Close(int i) {
  Conn& c = conns_[i];
  if (c.fd >= 0) ::close(c.fd);
  c.fd = -1;
}

void LoadLoop::Drop(int i) {
  Close(i);
  Conn& c = conns_[i];
  c.busy = false;
  c.out = {};
  c.sent = 0;
  c.parser.Reset();
}

Status LoadLoop::Open() {
  if (epfd_ < 0) {
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) return Status::IoError(std::string("epoll_create1: ") + std::strerror(errno));
  }
  for (size_t i = 0; i < conns_.size(); ++i) {
    if (conns_[i].fd < 0) SLUICE_RETURN_IF_ERROR(Connect(static_cast<int>(i)));
  }
  return Status::Ok();
}

void LoadLoop::SetWriteInterest(int i, bool on) {
  Conn& c = conns_[i];
  if (c.want_write == on) return;
  epoll_event ev{};
  ev.events = EPOLLIN | (on ? EPOLLOUT : 0u);
  ev.data.u32 = static_cast<uint32_t>(i);
  ::epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
  c.want_write = on;
}

Status LoadLoop::Fail(int i, std::string_view what) {
  Conn& c = conns_[i];
  const bool was_busy = c.busy;
  if (was_busy) {
    ++transport_errors_;
    handler_->OnTransportError(i, what);
  }
  if (transport_errors_ > kMaxTransportErrors) {
    return Status::ConnectionFailed("too many transport errors; last: " + std::string(what));
  }
  Drop(i);
  // Only a connection that lost its request is asked again now; an idle one
  // keeps waiting for its wake time.
  return was_busy ? Ask(i, MonotonicNanos()) : Status::Ok();
}

Status LoadLoop::Ask(int i, int64_t now) {
  Conn& c = conns_[i];
  c.wake_at = 0;
  Next next = handler_->NextRequest(i, now);
  if (next.request.empty()) {
    if (next.wake_at_ns > 0) {
      c.wake_at = next.wake_at_ns;
    } else {
      c.finished = true;
    }
    return Status::Ok();
  }
  if (c.fd < 0) SLUICE_RETURN_IF_ERROR(Connect(i));
  c.out = next.request;
  c.sent = 0;
  c.busy = true;
  c.start_ns = now;
  c.parser.Reset();
  c.parser.set_body_sink(next.body_sink);
  return TrySend(i);
}

Status LoadLoop::TrySend(int i) {
  Conn& c = conns_[i];
  while (c.sent < c.out.size()) {
    ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
    if (n > 0) {
      c.sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      SetWriteInterest(i, true);
      return Status::Ok();
    }
    return Fail(i, std::string("send: ") + std::strerror(errno));
  }
  SetWriteInterest(i, false);
  return Status::Ok();
}

Status LoadLoop::OnReadable(int i) {
  Conn& c = conns_[i];
  for (;;) {
    ssize_t n = ::recv(c.fd, rbuf_.get(), kReadBufferSize, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Status::Ok();
      return Fail(i, std::string("recv: ") + std::strerror(errno));
    }
    if (n == 0) {
      // An idle connection closed by the server: drop it; it is reopened
      // when it next has a request.
      if (!c.busy) {
        Drop(i);
        return Status::Ok();
      }
      c.parser.FeedEof();
      if (!c.parser.complete()) return Fail(i, "connection closed by server");
    } else {
      if (!c.busy) return Fail(i, "unsolicited bytes from server");
      size_t used = c.parser.Feed(rbuf_.get(), static_cast<size_t>(n));
      if (c.parser.failed()) return Fail(i, "bad response: " + c.parser.error());
      if (!c.parser.complete()) {
        if (static_cast<size_t>(n) < kReadBufferSize) return Status::Ok();  // level-triggered: wait
        continue;
      }
      if (used != static_cast<size_t>(n)) return Fail(i, "bytes after response");
    }
    // One complete response.
    const int64_t now = MonotonicNanos();
    c.busy = false;
    handler_->OnResponse(i, c.parser, now, now - c.start_ns);
    if (!c.parser.keep_alive() || n == 0) Drop(i);
    return Ask(i, now);
  }
}

Status LoadLoop::Run(LoopHandler* handler, int64_t deadline_ns) {
  handler_ = handler;
  abandoned_ = 0;
  SLUICE_RETURN_IF_ERROR(Open());
  const int64_t start = MonotonicNanos();
  for (size_t i = 0; i < conns_.size(); ++i) {
    conns_[i].finished = false;
    conns_[i].busy = false;
    SLUICE_RETURN_IF_ERROR(Ask(static_cast<int>(i), start));
  }
  std::vector<epoll_event> events(conns_.size());
  for (;;) {
    int64_t now = MonotonicNanos();
    if (now >= deadline_ns || handler->Done(now)) break;
    bool active = false;
    int64_t next_wake = deadline_ns;
    for (size_t i = 0; i < conns_.size(); ++i) {
      Conn& c = conns_[i];
      if (c.busy) {
        active = true;
      } else if (!c.finished && c.wake_at > 0) {
        active = true;
        if (c.wake_at <= now) {
          SLUICE_RETURN_IF_ERROR(Ask(static_cast<int>(i), now));
          if (c.wake_at > 0) next_wake = std::min(next_wake, c.wake_at);
        } else {
          next_wake = std::min(next_wake, c.wake_at);
        }
      }
    }
    if (!active) break;
    now = MonotonicNanos();
    // Round the wait up to whole milliseconds; a wake-up a little late is fine.
    int timeout_ms = 0;
    if (next_wake > now)
      timeout_ms = static_cast<int>(std::min<int64_t>((next_wake - now + 999'999) / 1'000'000, 1000));
    int n = ::epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::IoError(std::string("epoll_wait: ") + std::strerror(errno));
    }
    for (int k = 0; k < n; ++k) {
      const int i = static_cast<int>(events[k].data.u32);
      Conn& c = conns_[i];
      if (c.fd < 0) continue;
      if ((events[k].events & EPOLLOUT) && c.busy && c.sent < c.out.size()) {
        SLUICE_RETURN_IF_ERROR(TrySend(i));
      }
      if (events[k].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
        SLUICE_RETURN_IF_ERROR(OnReadable(i));
      }
    }
  }
  // Abandon what is still in flight: its connection is unusable for the next run.
  for (size_t i = 0; i < conns_.size(); ++i) {
    if (conns_[i].busy) {
      ++abandoned_;
      Drop(static_cast<int>(i));
    }
  }
  handler_ = nullptr;
  return Status::Ok();
}

namespace {

class OneCall final : public LoopHandler {
 public:
  explicit OneCall(std::string_view request) : request_(request) {}
  Next NextRequest(int, int64_t) override {
    if (sent_ || done_) return {};
    sent_ = true;
    return {request_, 0};
  }
  void OnResponse(int, const ResponseParser& r, int64_t, int64_t) override {
    status_ = r.status();
    body_.assign(r.body());
    done_ = true;
  }
  void OnTransportError(int, std::string_view what) override {
    error_ = std::string(what);
    done_ = true;
  }
  bool Done(int64_t) override { return done_; }

  std::string_view request_;
  bool sent_ = false;
  bool done_ = false;
  int status_ = 0;
  std::string body_;
  std::string error_;
};

}  // namespace

Result<CallResponse> Call(const Endpoint& endpoint, std::string_view request, int64_t timeout_ns) {
  LoadLoop loop(endpoint, 1);
  OneCall call(request);
  SLUICE_RETURN_IF_ERROR(loop.Run(&call, MonotonicNanos() + timeout_ns));
  if (!call.error_.empty()) return Status::ConnectionFailed(call.error_);
  if (!call.done_) return Status::TimedOut("timed out waiting for a response");
  return CallResponse{call.status_, std::move(call.body_)};
}

}  // namespace sluice::bench
