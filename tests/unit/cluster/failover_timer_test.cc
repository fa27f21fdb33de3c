// FailoverTimer (failover_timer.h): the time from a shard first seen without
// a live leader to the leader written for it.
#include "cluster/failover_timer.h"

#include <gtest/gtest.h>

namespace sluice::cluster {
namespace {

ShardRecord Led(int index, const std::string& leader) {
  return {{"123456789012", "us-east-1", "s", 1, index}, {leader, 1, {"n1", "n2"}, {"n1", "n2"}}, 1};
}

TEST(FailoverTimerTest, ALeaderWrittenForAShardWhoseLeaderWasLostRecordsTheTimeSinceItWasFirstSeenLost) {
  FailoverTimer timer;
  const std::vector<ShardRecord> shards = {Led(0, "n1"), Led(1, "n2")};
  timer.Observe(shards, {"n1", "n2"}, 1000);
  timer.Observe(shards, {"n2"}, 1500);  // n1 lost: shard 0's clock starts
  timer.Observe(shards, {"n2"}, 1900);  // still lost: the clock keeps its start
  timer.LeaderWritten(shards[1].id, 2000);
  EXPECT_EQ(timer.durations().count(), 0u) << "shard 1 never lost its leader";
  timer.LeaderWritten(shards[0].id, 2700);
  HistogramSnapshot d = timer.durations();
  EXPECT_EQ(d.count(), 1u);
  EXPECT_EQ(d.sum, 1200u);
  timer.LeaderWritten(shards[0].id, 3000);
  EXPECT_EQ(timer.durations().count(), 1u) << "one failover is recorded once";
}

TEST(FailoverTimerTest, UnassignedShardsAndShardsWhoseLeaderCameBackAreNotFailovers) {
  FailoverTimer timer;
  ShardRecord unassigned = Led(0, "");
  unassigned.leadership = {};
  timer.Observe({unassigned, Led(1, "n1")}, {"n2"}, 1000);
  timer.Observe({unassigned, Led(1, "n1")}, {"n1", "n2"}, 1200);  // n1 is back before any write
  timer.LeaderWritten(unassigned.id, 1500);
  timer.LeaderWritten(Led(1, "n1").id, 1500);
  EXPECT_EQ(timer.durations().count(), 0u);
}

TEST(FailoverTimerTest, AShardWithNoLeaderAtAllIsTimedToo) {
  FailoverTimer timer;
  const ShardRecord leaderless = Led(0, "");
  timer.Observe({leaderless}, {"n1", "n2"}, 100);
  timer.LeaderWritten(leaderless.id, 350);
  EXPECT_EQ(timer.durations().sum, 250u);
}

}  // namespace
}  // namespace sluice::cluster
