// EventLoop: one epoll instance, one thread. Owns the connections accepted on
// it, a timer min-heap for their deadlines, and a LoopMailbox (eventfd-woken)
// through which other threads reach it.
//
// Accepting: every loop of a server holds a duplicate of the server's one
// listening socket, registered with EPOLLEXCLUSIVE, so a new connection
// wakes one waiting loop, not all (a process-private alternative to
// SO_REUSEPORT, which would also let a second server join the port). The
// kernel prefers whichever loop is idle, so the accepting loop hands the
// connections round robin to all loops (through their mailboxes) to keep
// the load spread as SO_REUSEPORT's hashing did. Out of
// descriptors, a loop closes its oldest idle connections to make room; with
// none, it asks the other loops to close theirs, and only when none has any
// answers the next client 503 through a spare descriptor
// (descriptor_reserve.h); it pauses the listener only when all that fails.
//
// Lifecycle: constructed by the Server (taking ownership of a bound,
// listening socket), Run() on a dedicated thread until Stop() is posted, then
// destroyed by the Server after the thread is joined.
//
// Threading: Run() and every loop-thread method below run on the loop thread;
// mailbox() is the only thread-safe entry point.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <queue>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "server/connection.h"
#include "server/descriptor_reserve.h"
#include "server/loop_mailbox.h"
#include "server/server_context.h"

namespace sluice::server {

class EventLoop {
 public:
  // Takes ownership of `listen_fd` (non-blocking, listening; possibly a
  // duplicate shared with other loops) and of `tls_listen_fd` (-1: none),
  // whose connections speak TLS only. Aborts the
  // process if epoll or eventfd cannot be created (out of descriptors at
  // startup is not recoverable).
  EventLoop(const ServerContext& context, int listen_fd, int tls_listen_fd = -1);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Thread-safe handle for posting work and responses to this loop.
  const std::shared_ptr<LoopMailbox>& mailbox() const { return mailbox_; }

  // Runs until a posted Stop(); then closes every connection.
  void Run();

  // The loops of the server, this one included, that accepted connections
  // are spread over. Call before Run(); without it every connection stays.
  void SetSiblings(std::vector<EventLoop*> loops);

  // ---- loop thread only ----
  // Closes the listener, asks every connection to drain, and calls
  // `on_drained` once no connection is left.
  void BeginDrain(std::function<void()> on_drained);
  // Makes Run() return after the current iteration.
  void Stop() { stop_ = true; }

  const ServerContext& context() const { return context_; }
  // Monotonic time of the current iteration (cheap; refreshed per wakeup).
  int64_t now_ns() const { return now_ns_; }

  void DeliverNow(uint64_t connection_id, uint64_t tag, HttpResponse response);
  // Passes a streamed response's wakeup to its connection, if still open.
  void WakeStream(uint64_t connection_id, uint64_t tag);
  void UpdateInterest(Connection* connection, bool read, bool write);
  void PushTimer(int64_t when_ns, uint64_t connection_id);
  // Deregisters the socket (if still owned) and destroys the connection at
  // the end of the current iteration.
  void Retire(Connection* connection);
  // Replaces the HTTP/1.1 connection that sniffed the HTTP/2 preface with an
  // Http2Connection on the same socket, fed `initial_bytes` first.
  void SwitchToHttp2(Connection* sniffer, std::string_view initial_bytes);
  // Replaces the HTTP/1.1 connection that sniffed a TLS handshake record
  // with a TlsHandshakeConnection on the same socket.
  void SwitchToTls(Connection* sniffer);
  // Replaces a finished TLS handshake with the protocol `alpn` selected
  // ("h2": Http2Connection; else Http1Connection), keeping the session.
  void FinishTlsHandshake(Connection* handshake, const std::string& alpn);

 private:
  static constexpr uint64_t kWakeupId = 1;
  static constexpr uint64_t kListenerId = 2;
  static constexpr uint64_t kTlsListenerId = 3;

  struct Listener {
    int fd = -1;
    bool tls = false;  // a TLS-only port
    bool paused = false;
    int64_t retry_ns = 0;
  };

  void Accept(Listener& listener);
  // Serves the accepted socket `fd` on this loop (`tls`: from the TLS-only
  // port). Closes it instead when the loop drains.
  void Adopt(int fd, bool tls);
  enum class Room {
    kMade,       // idle connections closed, or the next client refused: accept again
    kRetrySoon,  // the other loops were asked to close idle connections
    kNone,       // neither was possible: pause the listener
  };
  // Out of descriptors (accept failed with `error`): closes up to
  // kIdleClosedPerEvent idle connections, oldest first. Without one here,
  // asks the other loops to close theirs (their replies come back through
  // RoomAsk) and tries again shortly; only when none of them had one either
  // does it refuse the next connection through the reserve.
  Room MakeRoom(Listener& listener, int error);
  // Closes up to `limit` of this loop's idle connections, oldest first.
  size_t CloseIdle(size_t limit);
  // Posts CloseIdle to every other loop, under a new RoomAsk generation.
  Room AskOthersForRoom();
  // Registers `connection` (on `fd`, already in epoll or not) under a new id
  // in place of `old` (may be null), and drains it if the loop drains.
  uint64_t Replace(Connection* old, std::unique_ptr<Connection> connection, int fd);
  void DrainMailbox();
  void RunTimers();
  int NextTimeoutMs() const;
  void MaybeReportDrained();
  // Destroys every connection. Their streamed responses call on_close,
  // which may look connections up: the table is emptied first.
  void DestroyConnections();

  const ServerContext& context_;
  int epoll_fd_ = -1;
  int event_fd_ = -1;
  Listener listeners_[2];  // [0]: the main port; [1]: the TLS-only port, if any
  bool stop_ = false;
  bool draining_ = false;
  std::function<void()> on_drained_;
  int64_t now_ns_ = 0;
  uint64_t next_id_ = 16;
  std::shared_ptr<LoopMailbox> mailbox_;
  DescriptorReserve reserve_;
  // One out-of-descriptors request to the other loops: they add to `replies`
  // and `closed` when the request is still `generation`.
  struct RoomAsk {
    std::atomic<uint64_t> generation{0};
    std::atomic<size_t> replies{0};
    std::atomic<size_t> closed{0};
    bool open = false;
    int64_t asked_ns = 0;
    int64_t refuse_until_ns = 0;
  };
  RoomAsk room_ask_;
  std::vector<EventLoop*> siblings_;
  size_t next_sibling_ = 0;
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  std::vector<std::unique_ptr<Connection>> retired_;
  MemoryBudget::TrimState trim_;                    // this loop's trims after bursts of buffered bytes
  using TimerEntry = std::pair<int64_t, uint64_t>;  // (when_ns, connection id)
  std::priority_queue<TimerEntry, std::vector<TimerEntry>, std::greater<>> timers_;
};

}  // namespace sluice::server
