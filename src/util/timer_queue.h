// Runs callbacks after a delay, on one thread of its own, in due order.
// Used to add latency to answers (fault injection) without holding a worker.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

namespace sluice {

class TimerQueue {
 public:
  TimerQueue();
  // Runs what is still queued at once (so no caller waits forever), then
  // joins the thread.
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Runs `fn` on the queue's thread `delay_ms` (monotonic) from now.
  void RunAfter(int64_t delay_ms, std::function<void()> fn);

 private:
  struct Item {
    int64_t due_ns;
    uint64_t order;  // ties run in the order they were queued
    std::function<void()> fn;
    bool operator>(const Item& o) const { return due_ns != o.due_ns ? due_ns > o.due_ns : order > o.order; }
  };
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> items_;  // guarded by mu_
  uint64_t next_order_ = 0;                                                 // guarded by mu_
  bool stop_ = false;                                                       // guarded by mu_
  std::thread thread_;
};

}  // namespace sluice
