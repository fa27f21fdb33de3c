#include "server/connection.h"

#include <unistd.h>

#include "server/event_loop.h"

namespace sluice::server {

Connection::Connection(EventLoop* loop, uint64_t id, int fd) : loop_(loop), id_(id), fd_(fd) {}

Connection::~Connection() {
  if (fd_ >= 0) ::close(fd_);
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
  int fd = fd_;
  fd_ = -1;
  return fd;
}

void Connection::Close() {
  if (closed_) return;
  closed_ = true;
  loop_->Retire(this);
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  OnClosed();
}

void Connection::SetInterest(bool read, bool write) {
  if (closed_ || (read == want_read_ && write == want_write_)) return;
  want_read_ = read;
  want_write_ = write;
  loop_->UpdateInterest(this, read, write);
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
