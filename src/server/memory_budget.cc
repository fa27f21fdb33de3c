#include "server/memory_budget.h"

namespace sluice::server {

bool MemoryBudget::TryAdd(uint64_t n) {
  uint64_t current = used_.load(std::memory_order_relaxed);
  do {
    if (limit_ != 0 && current + n > limit_) return false;
  } while (!used_.compare_exchange_weak(current, current + n, std::memory_order_relaxed));
  NoteHigh(current + n);
  return true;
}

void MemoryBudget::Add(uint64_t n) { NoteHigh(used_.fetch_add(n, std::memory_order_relaxed) + n); }

void MemoryBudget::Remove(uint64_t n) { used_.fetch_sub(n, std::memory_order_relaxed); }

void MemoryBudget::NoteHigh(uint64_t total) {
  if (limit_ != 0 && total > limit_ / 2 && !high_.load(std::memory_order_relaxed) &&
      !high_.exchange(true, std::memory_order_relaxed)) {
    bursts_.fetch_add(1, std::memory_order_relaxed);
  }
}

bool MemoryBudget::TakeTrimDue(TrimState& state) {
  uint64_t burst = bursts();
  if (burst == state.trimmed_burst || used() >= limit_ / 8) return false;
  // The burst is over: the next rise above half is a new one.
  high_.store(false, std::memory_order_relaxed);
  state.trimmed_burst = burst;
  return true;
}

bool BudgetShare::TryGrowTo(uint64_t bytes) {
  if (bytes <= bytes_) return true;
  if (!budget_.TryAdd(bytes - bytes_)) return false;
  bytes_ = bytes;
  return true;
}

void BudgetShare::Set(uint64_t bytes) {
  if (bytes > bytes_) {
    budget_.Add(bytes - bytes_);
  } else if (bytes < bytes_) {
    budget_.Remove(bytes_ - bytes);
  }
  bytes_ = bytes;
}

}  // namespace sluice::server
