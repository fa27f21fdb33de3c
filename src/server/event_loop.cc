#include "server/event_loop.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "server/free_heap.h"
#include "server/http1_connection.h"
#include "server/http2_connection.h"
#include "server/tls_context.h"
#include "server/tls_handshake_connection.h"
#include "server/tls_transport.h"
#include "server/unique_fd.h"
#include "util/clock.h"
#include "util/log.h"

namespace sluice::server {
namespace {

constexpr int64_t kListenerRetryNs = 100'000'000;  // after EMFILE and friends

// Bytes the kernel holds that the connection has not read yet: a client
// whose request is on its way (a connection just handed to this loop, not
// yet polled) is not idle, whatever the connection itself has seen.
bool UnreadInput(int fd) {
  int pending = 0;
  return ioctl(fd, FIONREAD, &pending) == 0 && pending > 0;
}

// Out of descriptors with nothing idle here: how soon to accept again after
// asking the other loops to close idle connections, and how long to wait for
// all of them to answer.
constexpr int64_t kRoomRetryNs = 2'000'000;
constexpr int64_t kRoomAnswerNs = 500'000'000;
// When none of them had one: refuse clients without asking again for this long.
constexpr int64_t kRoomRefuseNs = 100'000'000;
// Idle connections closed per out-of-descriptors event: room for a burst of
// new clients without emptying the loop of keep-alive connections at once.
constexpr size_t kIdleClosedPerEvent = 16;
// A listener is shared by every loop: wake one waiting loop per connection.
constexpr uint32_t kListenerEvents = EPOLLIN | EPOLLEXCLUSIVE;

void AddToEpoll(int epoll_fd, int fd, uint64_t id, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = id;
  if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
    log::Error("epoll_ctl ADD failed: {}", std::strerror(errno));
  }
}

}  // namespace

EventLoop::EventLoop(const ServerContext& context, int listen_fd, int tls_listen_fd) : context_(context) {
  listeners_[0].fd = listen_fd;
  listeners_[1].fd = tls_listen_fd;
  listeners_[1].tls = true;
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  event_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epoll_fd_ < 0 || event_fd_ < 0) {
    log::Error("cannot create epoll/eventfd: {}", std::strerror(errno));
    std::abort();
  }
  mailbox_ = std::make_shared<LoopMailbox>(this, event_fd_);
  AddToEpoll(epoll_fd_, event_fd_, kWakeupId, EPOLLIN);
  AddToEpoll(epoll_fd_, listen_fd, kListenerId, kListenerEvents);
  if (tls_listen_fd >= 0) AddToEpoll(epoll_fd_, tls_listen_fd, kTlsListenerId, kListenerEvents);
  now_ns_ = MonotonicNanos();
}

EventLoop::~EventLoop() {
  mailbox_->Close();
  DestroyConnections();
  for (Listener& l : listeners_) {
    if (l.fd >= 0) ::close(l.fd);
  }
  ::close(event_fd_);
  ::close(epoll_fd_);
}

void EventLoop::Run() {
  LoopMailbox::SetCurrent(mailbox_.get());
  if (context_.tls) {
    // OpenSSL writes with write(2), not send(MSG_NOSIGNAL): a peer that has
    // gone would raise SIGPIPE. Blocked on this thread, the write fails with
    // EPIPE instead, whatever the embedding program does with the signal.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
  }
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
      } else if (id == kListenerId || id == kTlsListenerId) {
        Accept(listeners_[id - kListenerId]);
      } else {
        auto it = connections_.find(id);
        if (it != connections_.end() && !it->second->closed()) it->second->DispatchEvents(events[i].events);
      }
    }
    RunTimers();
    retired_.clear();
    // A burst of buffered bytes ended: hand the freed heap back to the OS,
    // after this loop's own frees (see memory_budget.h).
    if (context_.budget.TakeTrimDue(trim_)) ReturnFreeHeap();
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

void EventLoop::Accept(Listener& listener) {
  for (int i = 0; i < 64 && listener.fd >= 0; ++i) {
    int fd = accept4(listener.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      int error = errno;
      if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR || error == ECONNABORTED) return;
      bool out_of_descriptors = error == EMFILE || error == ENFILE;
      Room room = out_of_descriptors ? MakeRoom(listener, error) : Room::kNone;
      if (room == Room::kMade) continue;
      // Out of memory, or no room could be made (another thread took the
      // freed slot): stop polling the listener for a while instead of
      // spinning on a level-triggered event.
      if (!out_of_descriptors) {
        log::Warn("accept failed: {}; pausing the listener", std::strerror(error));
      } else if (room == Room::kNone) {
        reserve_.Report(now_ns_, error, 0, 0);
      }
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, listener.fd, nullptr);
      listener.paused = true;
      listener.retry_ns = now_ns_ + (room == Room::kRetrySoon ? kRoomRetryNs : kListenerRetryNs);
      return;
    }
    room_ask_.open = false;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    EventLoop* target = siblings_.empty() ? this : siblings_[next_sibling_++ % siblings_.size()];
    if (target == this) {
      Adopt(fd, listener.tls);
      continue;
    }
    // Should that loop be gone before it runs the task, the socket closes
    // with the task.
    auto owned = std::make_shared<UniqueFd>(fd);
    target->mailbox()->Post([target, owned, tls = listener.tls] { target->Adopt(owned->release(), tls); });
  }
}

void EventLoop::SetSiblings(std::vector<EventLoop*> loops) {
  siblings_ = std::move(loops);
  // Each loop starts its round at itself, so simultaneous accepts spread.
  for (size_t i = 0; i < siblings_.size(); ++i) {
    if (siblings_[i] == this) next_sibling_ = i;
  }
}

void EventLoop::Adopt(int fd, bool tls) {
  if (draining_) {
    ::close(fd);
    return;
  }
  uint64_t id = next_id_++;
  if (tls) {
    SSL* ssl = context_.tls ? context_.tls->NewSession() : nullptr;
    if (ssl == nullptr) {
      ::close(fd);
      return;
    }
    auto connection =
        std::make_unique<TlsHandshakeConnection>(this, id, fd, std::make_unique<TlsTransport>(ssl, fd), now_ns_);
    TlsHandshakeConnection* raw = connection.get();
    connections_.emplace(id, std::move(connection));
    AddToEpoll(epoll_fd_, fd, id, EPOLLIN | EPOLLRDHUP);
    raw->Start();
    return;
  }
  // TLS on the main port: the first byte decides.
  bool sniff_tls = context_.tls != nullptr && !context_.options.tls.separate_port;
  auto connection = std::make_unique<Http1Connection>(this, id, fd, nullptr, sniff_tls);
  Http1Connection* raw = connection.get();
  connections_.emplace(id, std::move(connection));
  AddToEpoll(epoll_fd_, fd, id, EPOLLIN | EPOLLRDHUP);
  raw->Start();
}

size_t EventLoop::CloseIdle(size_t limit) {
  std::vector<Connection*> idle;
  for (auto& [id, c] : connections_) {
    if (!c->closed() && c->Idle() && !UnreadInput(c->fd())) idle.push_back(c.get());
  }
  // Ids grow with each accept: the smallest are the oldest.
  auto older = [](const Connection* a, const Connection* b) { return a->id() < b->id(); };
  size_t n = std::min(idle.size(), limit);
  std::partial_sort(idle.begin(), idle.begin() + static_cast<ptrdiff_t>(n), idle.end(), older);
  for (size_t i = 0; i < n; ++i) idle[i]->BeginDrain();
  return n;
}

EventLoop::Room EventLoop::MakeRoom(Listener& listener, int error) {
  size_t closed = CloseIdle(kIdleClosedPerEvent);
  if (closed > 0) {
    reserve_.Report(now_ns_, error, 0, static_cast<int>(closed));
    return Room::kMade;
  }
  // None idle here. The other loops share the descriptor table (and take
  // the slots this loop frees): ask them before turning a client away.
  size_t others = siblings_.empty() ? 0 : siblings_.size() - 1;
  RoomAsk& ask = room_ask_;
  if (others > 0 && now_ns_ >= ask.refuse_until_ns) {
    if (!ask.open) return AskOthersForRoom();
    bool all_answered = ask.replies.load() >= others;
    if (!all_answered && now_ns_ - ask.asked_ns < kRoomAnswerNs) return Room::kRetrySoon;
    if (ask.closed.load() > 0) return AskOthersForRoom();
    // Nothing idle anywhere: refuse without asking again for a while.
    ask.open = false;
    ask.refuse_until_ns = now_ns_ + kRoomRefuseNs;
  }
  DescriptorReserve::Refusal refusal = reserve_.RefuseOne(listener.fd);
  if (refusal == DescriptorReserve::Refusal::kNoReserve) return Room::kNone;
  if (refusal == DescriptorReserve::Refusal::kRefused) reserve_.Report(now_ns_, error, 1, 0);
  return Room::kMade;
}

EventLoop::Room EventLoop::AskOthersForRoom() {
  RoomAsk& ask = room_ask_;
  uint64_t generation = ask.generation.fetch_add(1) + 1;
  ask.replies = 0;
  ask.closed = 0;
  ask.open = true;
  ask.asked_ns = now_ns_;
  for (EventLoop* other : siblings_) {
    if (other == this) continue;
    other->mailbox()->Post([other, &ask, generation] {
      size_t n = other->CloseIdle(kIdleClosedPerEvent);
      if (ask.generation.load() != generation) return;
      ask.closed += n;
      ++ask.replies;
    });
  }
  return Room::kRetrySoon;
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
  for (uint64_t i = 0; i < 2; ++i) {
    Listener& l = listeners_[i];
    if (l.paused && l.fd >= 0 && now_ns_ >= l.retry_ns) {
      l.paused = false;
      AddToEpoll(epoll_fd_, l.fd, kListenerId + i, kListenerEvents);
    }
  }
}

int EventLoop::NextTimeoutMs() const {
  int64_t next = timers_.empty() ? 0 : timers_.top().first;
  for (const Listener& l : listeners_) {
    if (l.paused && (next == 0 || l.retry_ns < next)) next = l.retry_ns;
  }
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

uint64_t EventLoop::Replace(Connection* old, std::unique_ptr<Connection> connection, int fd) {
  uint64_t id = connection->id();
  auto it = connections_.find(old->id());
  if (it != connections_.end()) {
    retired_.push_back(std::move(it->second));
    connections_.erase(it);
  }
  connections_.emplace(id, std::move(connection));
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP;
  ev.data.u64 = id;
  epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
  return id;
}

void EventLoop::SwitchToHttp2(Connection* sniffer, std::string_view initial_bytes) {
  std::unique_ptr<Transport> transport = sniffer->ReleaseTransport();
  int fd = sniffer->ReleaseFd();
  auto connection = std::make_unique<Http2Connection>(this, next_id_++, fd, std::move(transport));
  Http2Connection* raw = connection.get();
  Replace(sniffer, std::move(connection), fd);
  raw->Start(initial_bytes);
  if (draining_ && !raw->closed()) raw->BeginDrain();
}

void EventLoop::SwitchToTls(Connection* sniffer) {
  SSL* ssl = context_.tls ? context_.tls->NewSession() : nullptr;
  if (ssl == nullptr) {
    log::Warn("cannot create a TLS session: {}", TlsErrorText());
    return sniffer->BeginDrain();
  }
  sniffer->ReleaseTransport();  // the plain one
  int fd = sniffer->ReleaseFd();
  auto transport = std::make_unique<TlsTransport>(ssl, fd);
  auto connection = std::make_unique<TlsHandshakeConnection>(this, next_id_++, fd, std::move(transport), now_ns_);
  TlsHandshakeConnection* raw = connection.get();
  Replace(sniffer, std::move(connection), fd);
  raw->Start();
  if (draining_ && !raw->closed()) raw->BeginDrain();
}

void EventLoop::FinishTlsHandshake(Connection* handshake, const std::string& alpn) {
  std::unique_ptr<Transport> transport = handshake->ReleaseTransport();
  int fd = handshake->ReleaseFd();
  if (alpn == "h2") {
    auto connection = std::make_unique<Http2Connection>(this, next_id_++, fd, std::move(transport));
    Http2Connection* raw = connection.get();
    Replace(handshake, std::move(connection), fd);
    // The client preface arrives through the session, like any later byte.
    raw->Start({});
    if (!raw->closed()) raw->OnEvents(EPOLLIN);
    if (draining_ && !raw->closed()) raw->BeginDrain();
    return;
  }
  auto connection = std::make_unique<Http1Connection>(this, next_id_++, fd, std::move(transport));
  Http1Connection* raw = connection.get();
  Replace(handshake, std::move(connection), fd);
  raw->Start();
  // Request bytes may already sit in the session's buffer (no epoll event).
  if (!raw->closed()) raw->OnEvents(EPOLLIN);
  if (draining_ && !raw->closed()) raw->BeginDrain();
}

void EventLoop::BeginDrain(std::function<void()> on_drained) {
  draining_ = true;
  on_drained_ = std::move(on_drained);
  for (Listener& l : listeners_) {
    if (l.fd < 0) continue;
    if (!l.paused) epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, l.fd, nullptr);
    ::close(l.fd);
    l.fd = -1;
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
