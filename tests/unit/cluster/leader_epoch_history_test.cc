// The leader epoch history (leader_epoch_history.h): its answers, and its
// file in a real directory.
#include "cluster/leader_epoch_history.h"

#include <gtest/gtest.h>

#include "storage/storage_test_util.h"

namespace sluice::cluster {
namespace {

using storage::testutil::FlipByte;
using storage::testutil::TempDir;

std::unique_ptr<LeaderEpochHistory> MustOpen(const std::string& dir, bool in_memory = false) {
  auto history = LeaderEpochHistory::Open(dir, in_memory);
  EXPECT_TRUE(history.ok()) << history.status().ToString();
  return history.ok() ? std::move(*history) : nullptr;
}

TEST(LeaderEpochHistoryTest, EachOffsetBelongsToTheLastEpochStartingAtOrBeforeIt) {
  auto h = MustOpen("shard", /*in_memory=*/true);
  EXPECT_EQ(h->EpochAt(0), 0) << "an empty history covers nothing";
  ASSERT_TRUE(h->Assign(1, 0).ok());
  ASSERT_TRUE(h->Assign(2, 5).ok());
  ASSERT_TRUE(h->Assign(3, 5).ok());  // epoch 2 appended nothing
  ASSERT_TRUE(h->Assign(3, 9).ok()) << "the latest epoch again is a no-op";
  EXPECT_EQ(h->entries(), (std::vector<EpochStart>{{1, 0}, {2, 5}, {3, 5}}));
  EXPECT_EQ(h->EpochAt(4), 1);
  EXPECT_EQ(h->EpochAt(5), 3);
  EXPECT_EQ(h->EpochAt(100), 3);
  EXPECT_EQ(h->LatestEpoch(), 3);
  EXPECT_EQ(h->StartOf(2), 5u);
  EXPECT_EQ(h->Assign(2, 10).code(), ErrorCode::kInvalidArgument) << "epochs never go back";
  EXPECT_EQ(h->Assign(4, 4).code(), ErrorCode::kInvalidArgument) << "nor do their starts";
}

TEST(LeaderEpochHistoryTest, EndOfNamesTheLargestEpochNotAboveTheOneAskedAndWhereItEnds) {
  auto h = MustOpen("shard", /*in_memory=*/true);
  ASSERT_TRUE(h->Assign(1, 0).ok());
  ASSERT_TRUE(h->Assign(3, 6).ok());
  EXPECT_EQ(h->EndOf(1, 10).epoch, 1);
  EXPECT_EQ(h->EndOf(1, 10).end_offset, 6u);
  EXPECT_EQ(h->EndOf(2, 10).epoch, 1) << "epoch 2 never appended here";
  EXPECT_EQ(h->EndOf(2, 10).end_offset, 6u);
  EXPECT_EQ(h->EndOf(3, 10).end_offset, 10u) << "the latest epoch ends at the log end";
  EXPECT_EQ(h->EndOf(7, 10).epoch, 3);
  EXPECT_EQ(h->EndOf(0, 10).epoch, 0);
  EXPECT_EQ(h->EndOf(0, 10).end_offset, 0u);
}

TEST(LeaderEpochHistoryTest, TheHistoryAndItsTruncationSurviveAReopen) {
  TempDir dir;
  {
    auto h = MustOpen(dir.path());
    ASSERT_TRUE(h->Assign(1, 0).ok());
    ASSERT_TRUE(h->Assign(2, 7).ok());
    ASSERT_TRUE(h->Assign(4, 12).ok());
  }
  {
    auto h = MustOpen(dir.path());
    EXPECT_EQ(h->entries(), (std::vector<EpochStart>{{1, 0}, {2, 7}, {4, 12}}));
    ASSERT_TRUE(h->TruncateTo(12).ok());
  }
  auto h = MustOpen(dir.path());
  EXPECT_EQ(h->entries(), (std::vector<EpochStart>{{1, 0}, {2, 7}})) << "epoch 4 started at the cut";
}

TEST(LeaderEpochHistoryTest, AFlippedByteInTheFileFailsTheOpenAsCorruption) {
  TempDir dir;
  {
    auto h = MustOpen(dir.path());
    ASSERT_TRUE(h->Assign(1, 0).ok());
    ASSERT_TRUE(h->Assign(2, 7).ok());
  }
  FlipByte(dir.Join(kLeaderEpochFileName), 30);
  auto h = LeaderEpochHistory::Open(dir.path(), false);
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace sluice::cluster
