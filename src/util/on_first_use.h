// OnFirstUse<T>: a T built the first time it is asked for, so that an object
// that exists many times over and is seldom used (a shard's activity counters
// and throughput buckets, among 100,000 idle shards) costs one pointer until
// it is used.
//
//   OnFirstUse<ShardCounters> counters;
//   counters.Get().incoming_records.fetch_add(1);      // builds it if needed
//   if (const ShardCounters* c = counters.Peek()) ...  // null: never used
//
// Threading: thread-safe and lock-free. Get() costs one atomic load once
// built; two threads building at once both allocate and one of them keeps
// its T (the other is freed unused), so T's default constructor must have no
// side effects. Peek() never builds. The T lives until the OnFirstUse does.
#pragma once

#include <atomic>

namespace sluice {

template <typename T>
class OnFirstUse {
 public:
  OnFirstUse() = default;
  OnFirstUse(const OnFirstUse&) = delete;
  OnFirstUse& operator=(const OnFirstUse&) = delete;
  ~OnFirstUse() { delete value_.load(std::memory_order_acquire); }

  T& Get() {
    if (T* value = value_.load(std::memory_order_acquire)) return *value;
    T* fresh = new T();
    T* expected = nullptr;
    if (value_.compare_exchange_strong(expected, fresh, std::memory_order_acq_rel)) return *fresh;
    delete fresh;  // another thread built it first
    return *expected;
  }

  // The T if it was built, else null.
  const T* Peek() const { return value_.load(std::memory_order_acquire); }

 private:
  std::atomic<T*> value_{nullptr};
};

}  // namespace sluice
