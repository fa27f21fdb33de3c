#include "engine/subscription_hub.h"

#include <algorithm>
#include <chrono>

namespace sluice::engine {

void ShardSubscription::Start() {
  started_.store(true, std::memory_order_release);
  hub_->Schedule(shared_from_this());
}

void ShardSubscription::Wake() { hub_->Schedule(shared_from_this()); }

void ShardSubscription::Cancel() {
  cancelled_.store(true, std::memory_order_release);
  hub_->Schedule(shared_from_this());
}

void ShardSubscription::OnShardChanged() {
  if (started()) hub_->Schedule(shared_from_this());
}

void ShardSubscription::Terminate(Status status) {
  {
    std::lock_guard lock(mu_);
    if (!termination_) termination_ = std::move(status);
  }
  hub_->Schedule(shared_from_this());
}

std::optional<Status> ShardSubscription::TakeTermination() {
  std::lock_guard lock(mu_);
  std::optional<Status> out = std::move(termination_);
  termination_.reset();
  return out;
}

void SubscriptionHub::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Loop(); });
}

void SubscriptionHub::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SubscriptionHub::Schedule(const std::shared_ptr<ShardSubscription>& s) {
  if (s->scheduled_.exchange(true, std::memory_order_acq_rel)) return;  // already queued
  {
    std::lock_guard lock(mu_);
    ready_.push_back(s);
  }
  cv_.notify_one();
}

void SubscriptionHub::ScheduleAt(const std::shared_ptr<ShardSubscription>& s, int64_t when_ms) {
  bool earliest = false;
  {
    std::lock_guard lock(mu_);
    if (s->timer_ms_ != 0 && s->timer_ms_ <= when_ms) return;
    s->timer_ms_ = when_ms;
    earliest = timers_.empty() || when_ms < timers_.begin()->first;
    timers_.emplace(when_ms, s);
  }
  if (earliest) cv_.notify_one();
}

void SubscriptionHub::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    // Timers that are due join the ready queue (stale entries, replaced by
    // an earlier timer of the same subscription, are dropped).
    const int64_t now = clock_->NowMillis();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      auto [when, weak] = *timers_.begin();
      timers_.erase(timers_.begin());
      std::shared_ptr<ShardSubscription> s = weak.lock();
      if (!s || s->timer_ms_ != when) continue;
      s->timer_ms_ = 0;
      if (!s->scheduled_.exchange(true, std::memory_order_acq_rel)) ready_.push_back(s);
    }
    if (ready_.empty()) {
      if (timers_.empty()) {
        cv_.wait(lock, [this] { return stop_ || !ready_.empty() || !timers_.empty(); });
      } else {
        const int64_t wait_ms = std::clamp<int64_t>(timers_.begin()->first - now, 1, 60'000);
        cv_.wait_for(lock, std::chrono::milliseconds(wait_ms));
      }
      continue;
    }
    std::shared_ptr<ShardSubscription> s = ready_.front().lock();
    ready_.pop_front();
    if (!s) continue;
    // Cleared before running: a wake-up during the run queues it again.
    s->scheduled_.store(false, std::memory_order_release);
    if (s->finished) continue;
    lock.unlock();
    run_(*s);
    lock.lock();
  }
}

}  // namespace sluice::engine
