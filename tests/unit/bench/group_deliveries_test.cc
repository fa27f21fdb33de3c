#include "bench/group_deliveries.h"

#include <gtest/gtest.h>

#include <string>

#include "bench/paced_producer.h"

namespace sluice::bench {
namespace {

constexpr int64_t kMs = 1'000'000;

std::string Stamped(int64_t sent_ns) {
  std::string data(20, 'x');
  WriteStamp(sent_ns, &data);
  return data;
}

TEST(GroupDeliveriesTest, LatencyIsTheFirstDeliveryLessTheStamp) {
  GroupDeliveries d;
  d.Deliver(0, "shardId-000000000000", "1", Stamped(100 * kMs), 103 * kMs);
  d.Deliver(1, "shardId-000000000000", "1", Stamped(100 * kMs), 900 * kMs);  // again, after a move
  d.Deliver(0, "shardId-000000000001", "1", "not stamped", 104 * kMs);
  EXPECT_EQ(d.distinct(), 1u);
  EXPECT_EQ(d.duplicates(), 1u);
  EXPECT_EQ(d.unstamped(), 1u);
  EXPECT_EQ(d.latency().max(), 3 * kMs);
}

TEST(GroupDeliveriesTest, RecordsSentBeforeTheMeasurementAreDeliveredWithoutLatency) {
  GroupDeliveries d;
  d.MeasureFrom(50 * kMs);
  d.Deliver(0, "a", "1", Stamped(10 * kMs), 3000 * kMs);  // waited for the first assignment
  d.Deliver(0, "a", "2", Stamped(60 * kMs), 61 * kMs);
  EXPECT_EQ(d.distinct(), 2u);
  EXPECT_EQ(d.latency().count(), 1u);
  EXPECT_EQ(d.latency().max(), 1 * kMs);
}

TEST(GroupDeliveriesTest, AJoinTakesUntilTheMovedShardIsReadByItsNewMember) {
  GroupDeliveries d;
  d.Deliver(0, "a", "1", Stamped(0), 1 * kMs);
  d.Deliver(0, "b", "1", Stamped(0), 1 * kMs);
  d.MemberChange("join", 10 * kMs);
  d.Deliver(0, "a", "2", Stamped(0), 11 * kMs);  // the old owner, still reading
  d.Deliver(0, "b", "2", Stamped(0), 12 * kMs);
  d.Deliver(1, "b", "3", Stamped(0), 250 * kMs);  // b moved to member 1
  d.Deliver(1, "b", "4", Stamped(0), 300 * kMs);
  auto changes = d.changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].what, "join");
  EXPECT_EQ(changes[0].moved, 1);
  EXPECT_EQ(changes[0].took_ns, 240 * kMs);
  EXPECT_EQ(changes[0].unread, 0);
}

TEST(GroupDeliveriesTest, ALeavingMembersShardsAreUnreadUntilAnotherReadsThem) {
  GroupDeliveries d;
  d.Deliver(0, "a", "1", Stamped(0), 1 * kMs);
  d.Deliver(1, "b", "1", Stamped(0), 1 * kMs);
  d.Deliver(1, "c", "1", Stamped(0), 1 * kMs);
  d.MemberChange("leave", 10 * kMs, 1);
  d.Deliver(0, "b", "2", Stamped(0), 40 * kMs);
  auto changes = d.changes();
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].moved, 1);
  EXPECT_EQ(changes[0].took_ns, 30 * kMs);
  EXPECT_EQ(changes[0].unread, 1);  // c
  d.Deliver(0, "c", "2", Stamped(0), 70 * kMs);
  changes = d.changes();
  EXPECT_EQ(changes[0].moved, 2);
  EXPECT_EQ(changes[0].took_ns, 60 * kMs);
  EXPECT_EQ(changes[0].unread, 0);
}

TEST(GroupDeliveriesTest, AChangeIsMeasuredOnlyUntilTheNextOne) {
  GroupDeliveries d;
  d.Deliver(0, "a", "1", Stamped(0), 1 * kMs);
  d.MemberChange("join", 10 * kMs);
  d.MemberChange("leave", 20 * kMs, 0);
  d.Deliver(1, "a", "2", Stamped(0), 50 * kMs);
  auto changes = d.changes();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].moved, 0);
  EXPECT_EQ(changes[0].took_ns, -1);
  EXPECT_EQ(changes[1].moved, 1);
  EXPECT_EQ(changes[1].took_ns, 30 * kMs);
}

}  // namespace
}  // namespace sluice::bench
