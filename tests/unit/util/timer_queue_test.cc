#include "util/timer_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <vector>

#include "util/clock.h"

namespace sluice {
namespace {

TEST(TimerQueue, RunsCallbacksInDueOrderNotInQueueOrder) {
  TimerQueue q;
  std::mutex mu;
  std::vector<int> order;
  std::promise<void> all;
  auto record = [&](int n) {
    std::lock_guard lock(mu);
    order.push_back(n);
    if (order.size() == 3) all.set_value();
  };
  q.RunAfter(120, [&] { record(3); });
  q.RunAfter(0, [&] { record(1); });
  q.RunAfter(60, [&] { record(2); });
  ASSERT_EQ(all.get_future().wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(TimerQueue, NeverRunsACallbackEarly) {
  TimerQueue q;
  std::promise<int64_t> ran;
  const int64_t start = MonotonicNanos();
  q.RunAfter(80, [&] { ran.set_value(MonotonicNanos()); });
  auto f = ran.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_GE(f.get() - start, 80 * 1000000);
}

TEST(TimerQueue, DestructionRunsWhatIsStillQueued) {
  std::atomic<int> ran{0};
  {
    TimerQueue q;
    q.RunAfter(60000, [&] { ran++; });
    q.RunAfter(60000, [&] { ran++; });
  }
  EXPECT_EQ(ran.load(), 2);
}

}  // namespace
}  // namespace sluice
