#include "server/event_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "server/http1_connection.h"
#include "server/http2_connection.h"
#include "util/clock.h"
#include "util/log.h"

namespace sluice::server {
namespace {

constexpr int64_t kListenerRetryNs = 100'000'000;  // after EMFILE and friends

void AddToEpoll(int epoll_fd, int fd, uint64_t id, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = id;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    log::Error("epoll_ctl ADD failed: {}", std::strerror(errno));
  }
}

}  // namespace

EventLoop::EventLoop(const ServerContext& context, int listen_fd)
    : context_(context), listen_fd_(listen_fd) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || event_fd_ < 0) {
    log::Error("cannot create epoll/eventfd: {}", std::strerror(errno));
    std::abort();
  }
  mailbox_ = std::make_shared<LoopMailbox>(this, event_fd_);
  AddToEpoll(epoll_fd_, event_fd_, kWakeupId, EPOLLIN);
  AddToEpoll(epoll_fd_, listen_fd_, kListenerId, EPOLLIN);
  now_ns_ = MonotonicNanos();
}

EventLoop::~EventLoop() {
  mailbox_->Close();
  DestroyConnections();
  if (listen_fd_ >= 0) ::close(listen_fd_);
  ::close(event_fd_);
  ::close(epoll_fd_);
}

void EventLoop::Run() {
  LoopMailbox::SetCurrent(mailbox_.get());
  constexpr int kMaxEvents = 256;
  epoll_event events[kMaxEvents];
  while (!stop_) {
    int n = epoll_wait(epoll_fd_, events, kMaxEvents, NextTimeoutMs());
    now_ns_ = MonotonicNanos();
    if (n < 0 && errno != EINTR) {
      log::Error("epoll_wait failed: {}", std::strerror(errno));
      break;
    }
    for (int i = 0; i < n; ++i) {
      uint64_t id = events[i].data.u64;
      if (id == kWakeupId) {
        uint64_t count;
        ssize_t r = ::read(event_fd_, &count, sizeof(count));
        (void)r;
        DrainMailbox();
      } else if (id == kListenerId) {
        Accept();
      } else {
        auto it = connections_.find(id);
        if (it != connections_.end() && !it->second->closed()) it->second->OnEvents(events[i].events);
      }
    }
    RunTimers();
    retired_.clear();
    MaybeReportDrained();
  }
  // Stop: every connection goes, in-flight responses are dropped.
  mailbox_->Close();
  DestroyConnections();
  LoopMailbox::SetCurrent(nullptr);
}

void EventLoop::DestroyConnections() {
  auto doomed = std::move(connections_);
  connections_.clear();
  doomed.clear();
  retired_.clear();
}

void EventLoop::Accept() {
  for (int i = 0; i < 64 && listen_fd_ >= 0; ++i) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED) return;
      // Out of descriptors or memory: stop polling the listener for a while
      // instead of spinning on a level-triggered event.
      log::Warn("accept failed: {}; pausing the listener", std::strerror(errno));
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
      listener_paused_ = true;
      listener_retry_ns_ = now_ns_ + kListenerRetryNs;
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    uint64_t id = next_id_++;
    auto connection = std::make_unique<Http1Connection>(this, id, fd);
    Http1Connection* raw = connection.get();
    connections_.emplace(id, std::move(connection));
    AddToEpoll(epoll_fd_, fd, id, EPOLLIN | EPOLLRDHUP);
    raw->Start();
  }
}

void EventLoop::DrainMailbox() {
  std::vector<ResponseDelivery> deliveries;
  std::vector<std::function<void()>> tasks;
  mailbox_->TakeAll(&deliveries, &tasks);
  for (auto& d : deliveries) DeliverNow(d.connection_id, d.tag, std::move(d.response));
  for (auto& task : tasks) task();
}

void EventLoop::DeliverNow(uint64_t connection_id, uint64_t tag, HttpResponse response) {
  auto it = connections_.find(connection_id);
  if (it == connections_.end() || it->second->closed()) return;  // client went away
  it->second->Complete(tag, std::move(response));
}

void EventLoop::WakeStream(uint64_t connection_id, uint64_t tag) {
  auto it = connections_.find(connection_id);
  if (it == connections_.end() || it->second->closed()) return;
  it->second->OnStreamWake(tag);
}

void EventLoop::UpdateInterest(Connection* connection, bool read, bool write) {
  epoll_event ev{};
  ev.events = (read ? uint32_t{EPOLLIN | EPOLLRDHUP} : 0u) | (write ? uint32_t{EPOLLOUT} : 0u);
  ev.data.u64 = connection->id();
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, connection->fd(), &ev);
}

void EventLoop::PushTimer(int64_t when_ns, uint64_t connection_id) { timers_.emplace(when_ns, connection_id); }

void EventLoop::RunTimers() {
  while (!timers_.empty() && timers_.top().first <= now_ns_) {
    auto [when, id] = timers_.top();
    timers_.pop();
    auto it = connections_.find(id);
    if (it != connections_.end()) it->second->OnTimer(when, now_ns_);
  }
  if (listener_paused_ && listen_fd_ >= 0 && now_ns_ >= listener_retry_ns_) {
    listener_paused_ = false;
    AddToEpoll(epoll_fd_, listen_fd_, kListenerId, EPOLLIN);
  }
}

int EventLoop::NextTimeoutMs() const {
  int64_t next = timers_.empty() ? 0 : timers_.top().first;
  if (listener_paused_ && (next == 0 || listener_retry_ns_ < next)) next = listener_retry_ns_;
  if (next == 0) return -1;
  int64_t wait_ns = next - MonotonicNanos();
  if (wait_ns <= 0) return 0;
  return static_cast<int>((wait_ns + 999'999) / 1'000'000);
}

void EventLoop::Retire(Connection* connection) {
  auto it = connections_.find(connection->id());
  if (it == connections_.end()) return;
  if (connection->fd() >= 0) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, connection->fd(), nullptr);
  retired_.push_back(std::move(it->second));
  connections_.erase(it);
}

void EventLoop::SwitchToHttp2(Connection* sniffer, std::string_view initial_bytes) {
  int fd = sniffer->ReleaseFd();
  uint64_t id = next_id_++;
  auto connection = std::make_unique<Http2Connection>(this, id, fd);
  Http2Connection* raw = connection.get();
  auto old = connections_.find(sniffer->id());
  if (old != connections_.end()) {
    retired_.push_back(std::move(old->second));
    connections_.erase(old);
  }
  connections_.emplace(id, std::move(connection));
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.u64 = id;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
  raw->Start(initial_bytes);
  if (draining_) raw->BeginDrain();
}

void EventLoop::BeginDrain(std::function<void()> on_drained) {
  draining_ = true;
  on_drained_ = std::move(on_drained);
  if (listen_fd_ >= 0) {
    if (!listener_paused_) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listen_fd_, nullptr);
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
  std::vector<Connection*> all;
  for (auto& [id, c] : connections_) all.push_back(c.get());
  for (Connection* c : all) {
    if (!c->closed()) c->BeginDrain();
  }
  retired_.clear();
  MaybeReportDrained();
}

void EventLoop::MaybeReportDrained() {
  if (draining_ && on_drained_ && connections_.empty()) {
    auto done = std::move(on_drained_);
    on_drained_ = nullptr;
    done();
  }
}

}  // namespace sluice::server
