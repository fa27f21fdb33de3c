#include "server/stream_channel.h"

#include <cstring>
#include <utility>

namespace sluice::server {

bool StreamChannel::Write(std::string bytes) {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (finished_ || aborted_) return false;
    if (bytes.empty()) return true;
    queued_bytes_ += bytes.size();
    queue_.push_back(std::move(bytes));
    if (BufferedLocked() >= drain_threshold_) above_threshold_ = true;
    wake = !wake_pending_;
    wake_pending_ = true;
  }
  if (wake) wake_();
  return true;
}

void StreamChannel::Finish() {
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (finished_ || aborted_) return;
    finished_ = true;
    wake = !wake_pending_;
    wake_pending_ = true;
  }
  if (wake) wake_();
}

size_t StreamChannel::BufferedBytes() const {
  std::lock_guard lock(mu_);
  return BufferedLocked();
}

bool StreamChannel::closed() const {
  std::lock_guard lock(mu_);
  return finished_ || aborted_;
}

void StreamChannel::AckWake() {
  std::lock_guard lock(mu_);
  wake_pending_ = false;
}

void StreamChannel::TakeAll(std::deque<std::string>* out, bool* finished) {
  std::lock_guard lock(mu_);
  if (front_offset_ > 0 && !queue_.empty()) {
    queue_.front().erase(0, front_offset_);
    front_offset_ = 0;
  }
  for (auto& piece : queue_) out->push_back(std::move(piece));
  queue_.clear();
  unsent_bytes_ += queued_bytes_;
  queued_bytes_ = 0;
  *finished = finished_ && !aborted_;
}

size_t StreamChannel::Read(uint8_t* buffer, size_t max, bool* finished) {
  std::lock_guard lock(mu_);
  size_t copied = 0;
  while (copied < max && !queue_.empty()) {
    const std::string& front = queue_.front();
    size_t n = front.size() - front_offset_;
    if (n > max - copied) n = max - copied;
    std::memcpy(buffer + copied, front.data() + front_offset_, n);
    copied += n;
    front_offset_ += n;
    if (front_offset_ == front.size()) {
      queue_.pop_front();
      front_offset_ = 0;
    }
  }
  queued_bytes_ -= copied;
  *finished = finished_ && !aborted_ && queue_.empty();
  return copied;
}

void StreamChannel::MarkSent(size_t n) {
  std::lock_guard lock(mu_);
  unsent_bytes_ -= n < unsent_bytes_ ? n : unsent_bytes_;
}

bool StreamChannel::TakeDrained() {
  std::lock_guard lock(mu_);
  size_t buffered = BufferedLocked();
  if (!above_threshold_ || aborted_ || (buffered >= drain_threshold_ && buffered > 0)) return false;
  above_threshold_ = false;
  return true;
}

bool StreamChannel::Abort() {
  std::lock_guard lock(mu_);
  if (aborted_) return false;
  aborted_ = true;
  queue_.clear();
  front_offset_ = 0;
  queued_bytes_ = 0;
  unsent_bytes_ = 0;
  return !finished_;
}

}  // namespace sluice::server
