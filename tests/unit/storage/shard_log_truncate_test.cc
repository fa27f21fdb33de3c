// ShardLog::TruncateTo: cuts in the middle of a batch, across segments and
// at a segment boundary, each followed by appends and a reopen; the limits
// (below the start, past the end); WhenDurable requests the cut removed; and
// what a power loss or a failed directory sync leaves (FaultInjectionEnv).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/shard_log.h"
#include "storage/testing/fault_injection_env.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testutil::AppendRecords;
using testutil::FileSize;
using testutil::OpenLog;
using testutil::ReadAllAndCheck;
using testutil::SegmentBases;
using testutil::SegmentPath;
using testutil::SyncInline;
using testutil::TempDir;
using testutil::WaitFor;

LogOptions Options(Durability d = Durability::kFsync, Env* env = Env::Default()) {
  LogOptions o;
  o.durability = d;
  o.segment_max_bytes = 16 << 10;
  o.index_interval_bytes = 1024;
  o.env = env;
  return o;
}

TEST(ShardLogTruncateTest, CutInsideABatchKeepsItsEarlierRecordsAndAppendsContinueAtTheCut) {
  TempDir dir;
  {
    auto log = OpenLog(dir.path(), Options());
    AppendRecords(log.get(), 100, 10, 1000, /*tick=*/true);
    SyncInline(log.get());
    ASSERT_TRUE(log->TruncateTo(45).ok());
    EXPECT_EQ(log->EndOffset(), 45u);
    EXPECT_EQ(log->VisibleEndOffset(), 45u);
    EXPECT_EQ(ReadAllAndCheck(*log, 0), 45u);
    // Offset 44 kept its own arrival time (batch 40..49 arrived at 1004).
    EXPECT_EQ(log->LastArrivalMillis(), 1004);
    auto r = log->Read(44, 1, 1 << 20);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->records.at(0).arrival_ms, 1004);

    AppendRecords(log.get(), 10, 10, 2000);
    SyncInline(log.get());
    EXPECT_EQ(ReadAllAndCheck(*log, 0), 55u);
  }
  auto log = OpenLog(dir.path(), Options());
  EXPECT_EQ(log->EndOffset(), 55u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 55u);
}

TEST(ShardLogTruncateTest, CutAcrossSegmentsRemovesTheLaterOnes) {
  TempDir dir;
  uint64_t cut = 0;
  {
    auto log = OpenLog(dir.path(), Options());
    AppendRecords(log.get(), 600, 7, 1000);
    SyncInline(log.get());
    const std::vector<uint64_t> bases = SegmentBases(dir.path());
    ASSERT_GE(bases.size(), 4u);
    cut = bases[1] + 10;  // inside the second segment, and inside a batch of 7
    ASSERT_TRUE(log->TruncateTo(cut).ok());
    EXPECT_EQ(SegmentBases(dir.path()), std::vector<uint64_t>(bases.begin(), bases.begin() + 2));
    EXPECT_FALSE(std::filesystem::exists(SegmentPath(dir.path(), bases[2], ".index")));
    EXPECT_EQ(log->EndOffset(), cut);
    EXPECT_EQ(ReadAllAndCheck(*log, 0), cut);
    AppendRecords(log.get(), 300, 7, 3000);
    SyncInline(log.get());
    EXPECT_EQ(ReadAllAndCheck(*log, 0), cut + 300);
  }
  auto log = OpenLog(dir.path(), Options());
  EXPECT_EQ(log->EndOffset(), cut + 300);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), cut + 300);
}

TEST(ShardLogTruncateTest, CutAtASegmentBoundaryLeavesThatSegmentEmptyAndActive) {
  TempDir dir;
  uint64_t cut = 0;
  {
    auto log = OpenLog(dir.path(), Options());
    AppendRecords(log.get(), 400, 5, 1000);
    SyncInline(log.get());
    const std::vector<uint64_t> bases = SegmentBases(dir.path());
    ASSERT_GE(bases.size(), 3u);
    cut = bases[1];
    const uint64_t first_segment_bytes = FileSize(SegmentPath(dir.path(), bases[0]));
    ASSERT_TRUE(log->TruncateTo(cut).ok());
    EXPECT_EQ(SegmentBases(dir.path()), std::vector<uint64_t>(bases.begin(), bases.begin() + 2));
    EXPECT_EQ(FileSize(SegmentPath(dir.path(), bases[1])), 0u);
    EXPECT_EQ(FileSize(SegmentPath(dir.path(), bases[0])), first_segment_bytes);
    EXPECT_EQ(log->EndOffset(), cut);
    EXPECT_EQ(ReadAllAndCheck(*log, 0), cut);
    AppendRecords(log.get(), 20, 5, 2000);
    SyncInline(log.get());
  }
  auto log = OpenLog(dir.path(), Options());
  EXPECT_EQ(log->EndOffset(), cut + 20);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), cut + 20);
}

TEST(ShardLogTruncateTest, CutBelowTheStartIsRefusedAndAtOrPastTheEndChangesNothing) {
  TempDir dir;
  auto log = OpenLog(dir.path(), Options());
  AppendRecords(log.get(), 400, 5, 1000, /*tick=*/true);
  SyncInline(log.get());
  auto start = log->TrimOlderThan(1040);  // drops the first segment(s)
  ASSERT_TRUE(start.ok());
  ASSERT_GT(*start, 0u);
  Status below = log->TruncateTo(*start - 1);
  EXPECT_EQ(below.code(), ErrorCode::kInvalidArgument) << below.ToString();
  EXPECT_NE(below.message().find("below its start offset"), std::string::npos) << below.ToString();
  EXPECT_EQ(log->EndOffset(), 400u);

  EXPECT_TRUE(log->TruncateTo(400).ok());
  EXPECT_TRUE(log->TruncateTo(10'000).ok());
  EXPECT_EQ(log->EndOffset(), 400u);
  EXPECT_EQ(ReadAllAndCheck(*log, *start), 400u);

  ASSERT_TRUE(log->TruncateTo(*start).ok());  // everything retained goes
  EXPECT_EQ(log->EndOffset(), *start);
  EXPECT_EQ(log->StartOffset(), *start);
  AppendRecords(log.get(), 5, 5, 5000);
  SyncInline(log.get());
  EXPECT_EQ(ReadAllAndCheck(*log, *start), *start + 5);
}

TEST(ShardLogTruncateTest, InMemoryLogsTruncateToo) {
  auto log = OpenLog("", Options(Durability::kMemory));
  AppendRecords(log.get(), 300, 6, 1000);
  ASSERT_TRUE(log->TruncateTo(100).ok());
  EXPECT_EQ(log->EndOffset(), 100u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 100u);
  AppendRecords(log.get(), 50, 6, 2000);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 150u);
}

TEST(ShardLogTruncateTest, WaitsForRecordsTheCutRemovedFailAndOthersSucceed) {
  TempDir dir;
  Flusher flusher;  // not started: requests wait in its queue
  auto log = OpenLog(dir.path(), Options(), &flusher);
  AppendRecords(log.get(), 20, 5, 1000);
  std::atomic<int> answers{0};
  Status above, below;
  log->WhenDurable(20, [&](Status s) {
    above = s;
    ++answers;
  });
  log->WhenDurable(8, [&](Status s) {
    below = s;
    ++answers;
  });
  ASSERT_TRUE(log->TruncateTo(10).ok());
  flusher.Start();
  ASSERT_TRUE(WaitFor([&] { return answers.load() == 2; }));
  EXPECT_EQ(above.code(), ErrorCode::kIoError) << above.ToString();
  EXPECT_NE(above.message().find("truncated at offset 10"), std::string::npos) << above.ToString();
  EXPECT_TRUE(below.ok()) << below.ToString();

  // A request made after the cut is answered as usual.
  AppendRecords(log.get(), 5, 5, 2000);
  std::atomic<bool> done{false};
  Status after;
  log->WhenDurable(15, [&](Status s) {
    after = s;
    done = true;
  });
  ASSERT_TRUE(WaitFor([&] { return done.load(); }));
  EXPECT_TRUE(after.ok()) << after.ToString();
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 15u);
  log.reset();
  flusher.Stop();
}

TEST(ShardLogTruncateTest, TheCutSurvivesAPowerLossThatDropsEverythingUnsynced) {
  TempDir dir;
  FaultInjectionEnv env;
  // The new records go at the old offsets from 130 on.
  auto [log, durable] = testutil::CutThenPowerLoss(dir.path(), env, Options(Durability::kFsync, &env),
                                                   [](ShardLog& l) { ASSERT_TRUE(l.TruncateTo(130).ok()); });
  ASSERT_NE(log, nullptr);
  ASSERT_GE(durable, 133u);
  EXPECT_EQ(log->EndOffset(), durable);
  auto old_records = log->Read(0, 130, 1 << 30);
  ASSERT_TRUE(old_records.ok());
  ASSERT_EQ(old_records->records.size(), 130u);
  for (const StoredRecord& r : old_records->records) EXPECT_EQ(r.data, testutil::DataFor(r.offset, 100));
  auto new_records = log->Read(130, 1000, 1 << 30);
  ASSERT_TRUE(new_records.ok());
  ASSERT_EQ(new_records->records.size(), durable - 130);
  for (const StoredRecord& r : new_records->records) EXPECT_EQ(r.data, testutil::DataFor(r.offset, 50));
}

TEST(ShardLogTruncateTest, AFailedDirectorySyncFailsTheLogAndTheReopenedLogIsContiguous) {
  TempDir dir;
  FaultInjectionEnv env;
  {
    auto log = OpenLog(dir.path(), Options(Durability::kFsync, &env));
    AppendRecords(log.get(), 400, 8, 1000);
    SyncInline(log.get());
    env.FailNext(FaultOp::kSyncDir, EIO);
    Status s = log->TruncateTo(100);
    EXPECT_EQ(s.code(), ErrorCode::kIoError) << s.ToString();
    auto refused = log->Append(std::vector<AppendEntry>{{"k", "v"}}, 3000);
    EXPECT_FALSE(refused.ok());
  }
  auto log = OpenLog(dir.path(), Options(Durability::kFsync, &env));
  // The later segments went; the one holding the cut was not cut yet.
  EXPECT_GE(log->EndOffset(), 100u);
  EXPECT_LT(log->EndOffset(), 400u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), log->EndOffset());
  ASSERT_TRUE(log->TruncateTo(100).ok());
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 100u);
}

}  // namespace
}  // namespace sluice::storage
