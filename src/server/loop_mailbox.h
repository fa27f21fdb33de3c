// LoopMailbox: the thread-safe way into an event loop. Responders and the
// Server post work here from any thread; the loop drains it after an eventfd
// wakeup. The mailbox is shared (std::shared_ptr) by the loop and by every
// Responder it handed out, so a Responder called after its loop (or its whole
// Server) is gone finds the mailbox closed and drops the response instead of
// touching freed memory.
//
// Threading: every public method is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "server/http_types.h"

namespace sluice::server {

class EventLoop;

// A response addressed to (connection id, request tag). Connection ids are
// never reused within a loop, so a stale address simply finds nothing.
struct ResponseDelivery {
  uint64_t connection_id;
  uint64_t tag;
  HttpResponse response;
};

class LoopMailbox {
 public:
  // `event_fd` is the loop's eventfd (not owned); `loop` is used only for
  // direct delivery on the loop's own thread.
  LoopMailbox(EventLoop* loop, int event_fd) : loop_(loop), event_fd_(event_fd) {}

  // Delivers a response. On the loop's own thread (a handler completing
  // synchronously) it is handed over at once; otherwise it is queued and the
  // loop woken. Dropped once the mailbox is closed.
  void Deliver(uint64_t connection_id, uint64_t tag, HttpResponse response);
  // Runs `task` on the loop thread soon. Dropped once closed.
  void Post(std::function<void()> task);
  // Refuses everything from now on. Called by the loop before it closes its
  // eventfd.
  void Close();

  // Loop thread only: moves everything queued into the arguments.
  void TakeAll(std::vector<ResponseDelivery>* deliveries, std::vector<std::function<void()>>* tasks);

  // Marks the calling thread as this mailbox's loop thread (nullptr clears).
  static void SetCurrent(LoopMailbox* mailbox);

 private:
  void WakeLocked();

  EventLoop* const loop_;
  const int event_fd_;
  std::mutex mu_;
  bool closed_ = false;
  std::vector<ResponseDelivery> deliveries_;
  std::vector<std::function<void()>> tasks_;
};

}  // namespace sluice::server
