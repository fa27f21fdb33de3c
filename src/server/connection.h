// Connection: one accepted socket, owned by the EventLoop it lives on for its
// whole life. Subclasses speak a protocol (Http1Connection, Http2Connection,
// TlsHandshakeConnection) and move bytes through the connection's Transport
// (the plain socket, or a TLS session on it).
//
// Lifecycle: created by the loop on accept; Close() deregisters the socket
// and hands the object back to the loop, which destroys it after the current
// event batch (so `this` stays valid until the method that closed it
// returns). Responses addressed to a closed connection are dropped.
//
// Threading: every method runs on the owning loop's thread. Responders made
// by MakeResponder() and wakers made by MakeStreamWaker() are the only things
// that may cross threads.
//
// Timeouts: a connection keeps one deadline (SetDeadline); the loop keeps at
// most one timer-heap entry per connection and calls OnDeadline() once the
// deadline passes. Moving a deadline later costs nothing.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "server/http_types.h"
#include "server/transport.h"

namespace sluice::server {

class EventLoop;
struct ServerContext;

class Connection {
 public:
  // Without a transport, the socket is plain.
  Connection(EventLoop* loop, uint64_t id, int fd, std::unique_ptr<Transport> transport = nullptr);
  virtual ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  uint64_t id() const { return id_; }
  int fd() const { return fd_; }
  bool closed() const { return closed_; }

  // The socket is ready (EPOLLIN/EPOLLOUT/EPOLLHUP/EPOLLERR bits).
  virtual void OnEvents(uint32_t events) = 0;
  // Loop use: OnEvents, after mapping the readiness a TLS session waits for
  // in the other direction to the direction that asked for it.
  void DispatchEvents(uint32_t events);
  // The response for the request tagged `tag` (a slot number on HTTP/1.1, a
  // stream id on HTTP/2) is ready.
  virtual void Complete(uint64_t tag, HttpResponse response) = 0;
  // The server is shutting down: finish what is in flight, take nothing new,
  // then close.
  virtual void BeginDrain() = 0;
  // The deadline set with SetDeadline() has passed.
  virtual void OnDeadline() = 0;
  // Nothing in flight and no request begun: closing it now (BeginDrain)
  // loses nothing. The loop closes such connections first when it runs out
  // of descriptors.
  virtual bool Idle() const { return false; }
  // The producer of the streamed response tagged `tag` wrote or finished
  // (posted by a waker from MakeStreamWaker).
  virtual void OnStreamWake(uint64_t tag) {}

  // Loop use: the timer entry armed for `when_ns` fired at `now_ns`.
  void OnTimer(int64_t when_ns, int64_t now_ns);
  // Gives up the socket and its transport without closing them (protocol
  // switch; ReleaseTransport first).
  int ReleaseFd();
  std::unique_ptr<Transport> ReleaseTransport() { return std::move(transport_); }

 protected:
  // Sets (or with 0 clears) the absolute MonotonicNanos() deadline.
  void SetDeadline(int64_t when_ns);
  // Closes the socket and retires the connection, then calls OnClosed();
  // idempotent.
  void Close();
  // Runs once at the end of the first Close() (closed() is already true):
  // subclasses end their streamed responses here.
  virtual void OnClosed() {}
  // Asks the loop for read and/or write readiness.
  void SetInterest(bool read, bool write);
  // A Responder for the request tagged `tag`: callable once, from any thread.
  Responder MakeResponder(uint64_t tag);
  // A function, callable from any thread, that makes the loop call
  // OnStreamWake(tag) on this connection soon (dropped if it is gone).
  std::function<void()> MakeStreamWaker(uint64_t tag);
  const ServerContext& context() const;
  Transport& transport() { return *transport_; }
  // Counts this connection as open in the server's gauges (by protocol and
  // whether its transport is TLS) until it closes or hands its socket on.
  void CountOpen(bool http2);

  EventLoop* const loop_;

 private:
  const uint64_t id_;
  int fd_;
  std::unique_ptr<Transport> transport_;
  bool closed_ = false;
  bool want_read_ = true;
  bool want_write_ = false;
  bool armed_read_ = true;  // what epoll was last told
  bool armed_write_ = false;
  int64_t deadline_ns_ = 0;
  int64_t armed_ns_ = 0;
  std::atomic<int64_t>* counted_ = nullptr;  // the gauge CountOpen() raised

  void Uncount();
};

}  // namespace sluice::server
