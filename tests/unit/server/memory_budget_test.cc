#include "server/memory_budget.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace sluice::server {
namespace {

TEST(MemoryBudgetTest, TryAddRefusesWhatWouldPassTheLimit) {
  MemoryBudget budget(100);
  EXPECT_TRUE(budget.TryAdd(60));
  EXPECT_FALSE(budget.TryAdd(41));
  EXPECT_EQ(budget.used(), 60u);
  EXPECT_TRUE(budget.TryAdd(40));
  EXPECT_FALSE(budget.Fits(1));
  EXPECT_FALSE(budget.over());
}

TEST(MemoryBudgetTest, AddGoesPastTheLimitAndMakesItOver) {
  MemoryBudget budget(100);
  budget.Add(150);
  EXPECT_TRUE(budget.over());
  EXPECT_FALSE(budget.TryAdd(1));
  budget.Remove(100);
  EXPECT_FALSE(budget.over());
  EXPECT_TRUE(budget.TryAdd(50));
}

TEST(MemoryBudgetTest, ZeroLimitRefusesNothingAndIsNeverOver) {
  MemoryBudget budget(0);
  EXPECT_TRUE(budget.TryAdd(uint64_t{1} << 40));
  EXPECT_FALSE(budget.over());
  MemoryBudget::TrimState loop;
  EXPECT_FALSE(budget.TakeTrimDue(loop));
}

TEST(MemoryBudgetTest, TrimIsDueOnceAfterUseFellFromAboveHalfToBelowAnEighth) {
  MemoryBudget budget(800);
  MemoryBudget::TrimState loop;
  budget.Add(300);
  budget.Remove(300);
  EXPECT_FALSE(budget.TakeTrimDue(loop)) << "never above half";
  budget.Add(500);
  EXPECT_FALSE(budget.TakeTrimDue(loop)) << "still high";
  budget.Remove(380);
  EXPECT_FALSE(budget.TakeTrimDue(loop)) << "120 is not below an eighth (100)";
  budget.Remove(40);
  EXPECT_TRUE(budget.TakeTrimDue(loop));
  EXPECT_FALSE(budget.TakeTrimDue(loop)) << "once per burst";
}

TEST(MemoryBudgetTest, EveryLoopTrimsOnceAfterABurstEvenWhenAnotherTrimmedFirst) {
  MemoryBudget budget(800);
  MemoryBudget::TrimState first, second;
  budget.Add(500);
  budget.Remove(450);
  EXPECT_TRUE(budget.TakeTrimDue(first));
  // The second loop freed its buffers after the first one trimmed: it
  // still owes its own trim for this burst, and only one.
  EXPECT_TRUE(budget.TakeTrimDue(second));
  EXPECT_FALSE(budget.TakeTrimDue(second));
  EXPECT_FALSE(budget.TakeTrimDue(first));
  // A new rise above half is a new burst, for both.
  budget.Add(450);
  budget.Remove(450);
  EXPECT_EQ(budget.bursts(), 2u);
  EXPECT_TRUE(budget.TakeTrimDue(second));
  EXPECT_TRUE(budget.TakeTrimDue(first));
}

TEST(MemoryBudgetTest, ConcurrentTryAddNeverPassesTheLimit) {
  MemoryBudget budget(1000);
  std::vector<std::thread> threads;
  std::atomic<int> admitted{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) admitted += budget.TryAdd(1) ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(admitted.load(), 1000);
  EXPECT_EQ(budget.used(), 1000u);
}

TEST(BudgetShareTest, GrowsWithinTheBudgetAndGivesEverythingBackWhenDestroyed) {
  MemoryBudget budget(100);
  {
    BudgetShare share(budget);
    EXPECT_TRUE(share.TryGrowTo(70));
    EXPECT_TRUE(share.TryGrowTo(50)) << "already holds that much";
    EXPECT_EQ(share.bytes(), 70u);
    BudgetShare other(budget);
    EXPECT_FALSE(other.TryGrowTo(31));
    EXPECT_EQ(other.bytes(), 0u);
    other.Set(60);
    EXPECT_TRUE(budget.over());
    share.Set(10);
    EXPECT_EQ(budget.used(), 70u);
  }
  EXPECT_EQ(budget.used(), 0u);
}

}  // namespace
}  // namespace sluice::server
