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
  EXPECT_FALSE(budget.TakeTrimDue());
}

TEST(MemoryBudgetTest, TrimIsDueOnceAfterUseFellFromAboveHalfToBelowAnEighth) {
  MemoryBudget budget(800);
  budget.Add(300);
  budget.Remove(300);
  EXPECT_FALSE(budget.TakeTrimDue()) << "never above half";
  budget.Add(500);
  EXPECT_FALSE(budget.TakeTrimDue()) << "still high";
  budget.Remove(380);
  EXPECT_FALSE(budget.TakeTrimDue()) << "120 is not below an eighth (100)";
  budget.Remove(40);
  EXPECT_TRUE(budget.TakeTrimDue());
  EXPECT_FALSE(budget.TakeTrimDue()) << "once per burst";
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
