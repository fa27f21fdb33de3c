#include "util/timer_queue.h"

#include <chrono>

#include "util/clock.h"

namespace sluice {

TimerQueue::TimerQueue() : thread_([this] { Loop(); }) {}

TimerQueue::~TimerQueue() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void TimerQueue::RunAfter(int64_t delay_ms, std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    items_.push(Item{MonotonicNanos() + std::max<int64_t>(0, delay_ms) * 1000000, next_order_++, std::move(fn)});
  }
  cv_.notify_all();
}

void TimerQueue::Loop() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (items_.empty()) {
      if (stop_) return;
      cv_.wait(lock);
      continue;
    }
    const int64_t now = MonotonicNanos();
    if (!stop_ && items_.top().due_ns > now) {
      cv_.wait_for(lock, std::chrono::nanoseconds(items_.top().due_ns - now));
      continue;
    }
    std::function<void()> fn = std::move(const_cast<Item&>(items_.top()).fn);
    items_.pop();
    lock.unlock();
    fn();
    lock.lock();
  }
}

}  // namespace sluice
