// MemoryBudget: the server-wide count of bytes that clients make the server
// hold (request bodies being received, answers not yet taken by the kernel,
// streamed bodies a slow reader leaves queued), against one limit
// (ServerOptions::max_buffered_bytes).
//
// Request bodies are admitted against it (TryAdd: a body that does not fit
// is refused with 503); answers are counted unconditionally (Add: they are
// made already) and make the budget over() while a reader is slow, which is
// when connections end their stalled streamed responses. A BudgetShare is
// one holder's part: it remembers what it added and gives it back when it
// goes.
//
// Returning memory: glibc keeps freed heap pages (the server raises
// M_TRIM_THRESHOLD so large buffers are reused), so after a burst the
// resident size stays high. A burst is use rising above half the limit; it
// is over once use fell below an eighth of it, and then each event loop
// returns the free heap once (TakeTrimDue with its own TrimState, then
// ReturnFreeHeap in free_heap.h). Once per loop, not once for the server:
// each loop's buffers live in an arena of its own, whose free top only that
// loop's trim returns, after its own frees. Once per burst, not per request,
// because a trim walks the whole heap.
//
// Threading: every method is thread-safe (relaxed atomics; the count is a
// bound, not a synchronisation point). BudgetShare is single-threaded (one
// connection's loop).
#pragma once

#include <atomic>
#include <cstdint>

namespace sluice::server {

class MemoryBudget {
 public:
  // `limit` 0 means no limit (nothing is refused, nothing is over).
  explicit MemoryBudget(uint64_t limit) : limit_(limit) {}
  MemoryBudget(const MemoryBudget&) = delete;
  MemoryBudget& operator=(const MemoryBudget&) = delete;

  uint64_t limit() const { return limit_; }
  uint64_t used() const { return used_.load(std::memory_order_relaxed); }
  // More is held than the limit allows.
  bool over() const { return limit_ != 0 && used() > limit_; }
  // Whether `n` more bytes would fit now.
  bool Fits(uint64_t n) const { return limit_ == 0 || used() + n <= limit_; }

  // Adds `n` if the total stays within the limit; false (nothing added)
  // otherwise.
  bool TryAdd(uint64_t n);
  // Adds `n` whatever the limit.
  void Add(uint64_t n);
  // Gives back `n` bytes added before.
  void Remove(uint64_t n);

  // One caller's memory of the bursts it trimmed after.
  struct TrimState {
    uint64_t trimmed_burst = 0;
  };
  // True once per caller (`state`) after each burst: use rose above half
  // the limit and is now below an eighth of it (see the header comment).
  bool TakeTrimDue(TrimState& state);
  // Bursts so far (for tests and logs).
  uint64_t bursts() const { return bursts_.load(std::memory_order_relaxed); }

 private:
  void NoteHigh(uint64_t total);

  const uint64_t limit_;
  std::atomic<uint64_t> used_{0};
  std::atomic<bool> high_{false};    // above half the limit since use was last low
  std::atomic<uint64_t> bursts_{0};  // rises above half the limit
};

// One holder's part of a MemoryBudget; gives it all back when destroyed.
class BudgetShare {
 public:
  explicit BudgetShare(MemoryBudget& budget) : budget_(budget) {}
  ~BudgetShare() { Set(0); }
  BudgetShare(const BudgetShare&) = delete;
  BudgetShare& operator=(const BudgetShare&) = delete;

  uint64_t bytes() const { return bytes_; }
  const MemoryBudget& budget() const { return budget_; }
  // Grows this share to `bytes` if the budget has room (true when it
  // already holds that much); false leaves it unchanged.
  bool TryGrowTo(uint64_t bytes);
  // Sets this share to `bytes`, growing past the limit if need be.
  void Set(uint64_t bytes);

 private:
  MemoryBudget& budget_;
  uint64_t bytes_ = 0;
};

}  // namespace sluice::server
