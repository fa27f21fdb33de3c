#include "server/loop_mailbox.h"

#include <unistd.h>

#include "server/event_loop.h"

namespace sluice::server {
namespace {
thread_local LoopMailbox* tl_current_mailbox = nullptr;
}  // namespace

void LoopMailbox::SetCurrent(LoopMailbox* mailbox) { tl_current_mailbox = mailbox; }

void LoopMailbox::Deliver(uint64_t connection_id, uint64_t tag, HttpResponse response) {
  if (tl_current_mailbox == this) {
    // On the loop thread, which is alive while it runs: no queue round trip.
    loop_->DeliverNow(connection_id, tag, std::move(response));
    return;
  }
  std::lock_guard lock(mu_);
  if (closed_) return;
  deliveries_.push_back({connection_id, tag, std::move(response)});
  if (deliveries_.size() == 1 && tasks_.empty()) WakeLocked();
}

void LoopMailbox::Post(std::function<void()> task) {
  std::lock_guard lock(mu_);
  if (closed_) return;
  tasks_.push_back(std::move(task));
  if (tasks_.size() == 1 && deliveries_.empty()) WakeLocked();
}

void LoopMailbox::Close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  deliveries_.clear();
  tasks_.clear();
}

void LoopMailbox::TakeAll(std::vector<ResponseDelivery>* deliveries, std::vector<std::function<void()>>* tasks) {
  std::lock_guard lock(mu_);
  deliveries->swap(deliveries_);
  tasks->swap(tasks_);
}

void LoopMailbox::WakeLocked() {
  // Written under the lock so Close() cannot race with the loop closing the fd.
  uint64_t one = 1;
  ssize_t n = ::write(event_fd_, &one, sizeof(one));
  (void)n;  // EAGAIN means the counter is already non-zero: the loop will wake.
}

}  // namespace sluice::server
