#include "server/connection.h"

#include <sys/epoll.h>
#include <unistd.h>

#include "server/event_loop.h"

namespace sluice::server {

Connection::Connection(EventLoop* loop, uint64_t id, int fd, std::unique_ptr<Transport> transport)
    : loop_(loop), id_(id), fd_(fd), transport_(std::move(transport)) {
  if (!transport_) transport_ = std::make_unique<PlainTransport>(fd);
}

void Connection::DispatchEvents(uint32_t events) {
  if (transport_->ReadWantsWrite() && (events & EPOLLOUT)) events |= EPOLLIN;
  if (transport_->WriteWantsRead() && (events & EPOLLIN)) events |= EPOLLOUT;
  OnEvents(events);
  if (!closed_) SetInterest(want_read_, want_write_);  // the transport's wishes may have changed
}

Connection::~Connection() {
  Uncount();
  if (fd_ >= 0) ::close(fd_);
}

void Connection::CountOpen(bool http2) {
  Uncount();
  counted_ = &context().connections.Slot(http2, transport_->secure());
  counted_->fetch_add(1, std::memory_order_relaxed);
}

void Connection::Uncount() {
  if (counted_ == nullptr) return;
  counted_->fetch_sub(1, std::memory_order_relaxed);
  counted_ = nullptr;
}

const ServerContext& Connection::context() const { return loop_->context(); }

void Connection::OnTimer(int64_t when_ns, int64_t now_ns) {
  if (closed_ || when_ns != armed_ns_) return;  // a stale heap entry
  armed_ns_ = 0;
  if (deadline_ns_ == 0) return;
  if (now_ns >= deadline_ns_) {
    deadline_ns_ = 0;
    OnDeadline();
  } else {
    SetDeadline(deadline_ns_);
  }
}

void Connection::SetDeadline(int64_t when_ns) {
  deadline_ns_ = when_ns;
  // Only an earlier deadline needs a new heap entry; a later one is found
  // when the armed entry fires and re-arms.
  if (when_ns != 0 && (armed_ns_ == 0 || when_ns < armed_ns_)) {
    armed_ns_ = when_ns;
    loop_->PushTimer(when_ns, id_);
  }
}

int Connection::ReleaseFd() {
  Uncount();
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  Uncount();
  loop_->Retire(this);
  if (fd_ >= 0) {
    if (transport_) transport_->OnClose();
    ::close(fd_);
    fd_ = -1;
  }
  OnClosed();
}

void Connection::SetInterest(bool read, bool write) {
  if (closed_) return;
  want_read_ = read;
  want_write_ = write;
  // A TLS session may wait for the other direction than the protocol does.
  bool effective_read = read || (transport_ && transport_->WriteWantsRead());
  bool effective_write = write || (transport_ && transport_->ReadWantsWrite());
  if (effective_read == armed_read_ && effective_write == armed_write_) return;
  armed_read_ = effective_read;
  armed_write_ = effective_write;
  loop_->UpdateInterest(this, effective_read, effective_write);
}

Responder Connection::MakeResponder(uint64_t tag) {
  return [mailbox = loop_->mailbox(), id = id_, tag](HttpResponse response) {
    mailbox->Deliver(id, tag, std::move(response));
  };
}

std::function<void()> Connection::MakeStreamWaker(uint64_t tag) {
  // The task runs on the loop thread only while the loop is alive (a closed
  // mailbox drops it), so the raw loop pointer inside it is safe.
  return [mailbox = loop_->mailbox(), loop = loop_, id = id_, tag] {
    mailbox->Post([loop, id, tag] { loop->WakeStream(id, tag); });
  };
}

}  // namespace sluice::server
