// ShardLog::ResetTo: a log of several segments emptied and started again at a
// later offset, appended to and reopened; the limits (below the end, an empty
// log already there); a log never written; memory logs; WhenDurable requests
// for the old records; and what a power loss, a crash after the `reset` file
// and failed writes leave (FaultInjectionEnv).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/coding.h"
#include "storage/metadata_store.h"
#include "storage/shard_log.h"
#include "storage/testing/fault_injection_env.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testutil::AppendRecords;
using testutil::OpenLog;
using testutil::ReadAllAndCheck;
using testutil::SegmentBases;
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

bool HasResetFile(const std::string& dir) { return std::filesystem::exists(dir + "/reset"); }

// What ResetTo() saves first: the `reset` file naming `offset`.
void SaveResetFile(const std::string& dir, uint64_t offset) {
  std::string payload(8, '\0');
  coding::PutFixed64(payload.data(), offset);
  MetadataStore store(dir + "/reset", /*in_memory=*/false);
  ASSERT_TRUE(store.Save(payload).ok());
}

// Records at and past `from` (to the end), checked as AppendRecords wrote them.
void ExpectOnlyRecordsFrom(const ShardLog& log, uint64_t from, size_t data_size = 100) {
  EXPECT_EQ(log.StartOffset(), from);
  auto below = log.Read(0, 10, 1 << 20);  // clamped up to the start
  ASSERT_TRUE(below.ok()) << below.status().ToString();
  if (!below->records.empty()) {
    EXPECT_EQ(below->records.front().offset, from);
  }
  EXPECT_EQ(ReadAllAndCheck(log, from, data_size), log.EndOffset());
}

TEST(ShardLogResetTest, ResetEmptiesTheLogAndAppendsContinueAtTheNewStart) {
  TempDir dir;
  {
    auto log = OpenLog(dir.path(), Options());
    AppendRecords(log.get(), 400, 8, 1000);
    SyncInline(log.get());
    ASSERT_GT(SegmentBases(dir.path()).size(), 2u);
    ASSERT_TRUE(log->ResetTo(1000).ok());
    EXPECT_EQ(log->StartOffset(), 1000u);
    EXPECT_EQ(log->EndOffset(), 1000u);
    EXPECT_EQ(log->VisibleEndOffset(), 1000u);
    EXPECT_EQ(log->LastArrivalMillis(), 0);
    EXPECT_EQ(log->SizeBytes(), 0u);
    auto r = log->Read(0, 100, 1 << 20);
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->records.empty());
    EXPECT_EQ(SegmentBases(dir.path()), std::vector<uint64_t>{1000});
    EXPECT_FALSE(HasResetFile(dir.path()));

    AppendRecords(log.get(), 30, 8, 2000);
    SyncInline(log.get());
    EXPECT_EQ(log->EndOffset(), 1030u);
    ExpectOnlyRecordsFrom(*log, 1000);
  }
  auto log = OpenLog(dir.path(), Options());
  EXPECT_EQ(log->EndOffset(), 1030u);
  ExpectOnlyRecordsFrom(*log, 1000);
  AppendRecords(log.get(), 5, 5, 3000);
  SyncInline(log.get());
  ExpectOnlyRecordsFrom(*log, 1000);
}

TEST(ShardLogResetTest, ResetBelowTheEndIsRefusedAndAnEmptyLogAlreadyThereIsUnchanged) {
  TempDir dir;
  auto log = OpenLog(dir.path(), Options());
  AppendRecords(log.get(), 100, 10, 1000);
  SyncInline(log.get());
  Status below = log->ResetTo(99);
  EXPECT_EQ(below.code(), ErrorCode::kInvalidArgument) << below.ToString();
  EXPECT_NE(below.message().find("below its end offset 100"), std::string::npos) << below.ToString();
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 100u);

  // At the end itself: the records go, the offsets stay.
  ASSERT_TRUE(log->ResetTo(100).ok());
  EXPECT_EQ(log->StartOffset(), 100u);
  EXPECT_EQ(log->EndOffset(), 100u);
  EXPECT_EQ(SegmentBases(dir.path()), std::vector<uint64_t>{100});
  ASSERT_TRUE(log->ResetTo(100).ok());
  EXPECT_EQ(SegmentBases(dir.path()), std::vector<uint64_t>{100});
  // Further on, from an empty log: its empty segment is replaced.
  ASSERT_TRUE(log->ResetTo(250).ok());
  EXPECT_EQ(SegmentBases(dir.path()), std::vector<uint64_t>{250});
  AppendRecords(log.get(), 10, 10, 2000);
  SyncInline(log.get());
  ExpectOnlyRecordsFrom(*log, 250);
}

TEST(ShardLogResetTest, ALogNeverWrittenIsCreatedAtTheNewStart) {
  TempDir dir;
  const std::string log_dir = dir.path() + "/shard";
  LogOptions options = Options();
  options.create_on_first_append = true;
  {
    auto log = OpenLog(log_dir, options);
    ASSERT_FALSE(std::filesystem::exists(log_dir));
    ASSERT_TRUE(log->ResetTo(70).ok());
    EXPECT_EQ(SegmentBases(log_dir), std::vector<uint64_t>{70});
    AppendRecords(log.get(), 3, 3, 1000);
    SyncInline(log.get());
  }
  auto log = OpenLog(log_dir, options);
  EXPECT_EQ(log->EndOffset(), 73u);
  ExpectOnlyRecordsFrom(*log, 70);
}

TEST(ShardLogResetTest, InMemoryLogsResetToo) {
  auto log = OpenLog("", Options(Durability::kMemory));
  AppendRecords(log.get(), 300, 6, 1000);
  ASSERT_TRUE(log->ResetTo(500).ok());
  EXPECT_EQ(log->StartOffset(), 500u);
  EXPECT_EQ(log->EndOffset(), 500u);
  AppendRecords(log.get(), 50, 6, 2000);
  ExpectOnlyRecordsFrom(*log, 500);
}

TEST(ShardLogResetTest, WaitsForRecordsOfTheOldLogFailAndLaterOnesSucceed) {
  TempDir dir;
  Flusher flusher;  // not started: requests wait in its queue
  auto log = OpenLog(dir.path(), Options(), &flusher);
  AppendRecords(log.get(), 20, 5, 1000);
  std::atomic<int> answers{0};
  Status old_wait;
  log->WhenDurable(20, [&](Status s) {
    old_wait = s;
    ++answers;
  });
  ASSERT_TRUE(log->ResetTo(40).ok());
  AppendRecords(log.get(), 5, 5, 2000);
  Status new_wait;
  log->WhenDurable(45, [&](Status s) {
    new_wait = s;
    ++answers;
  });
  flusher.Start();
  ASSERT_TRUE(WaitFor([&] { return answers.load() == 2; }));
  EXPECT_EQ(old_wait.code(), ErrorCode::kIoError) << old_wait.ToString();
  EXPECT_NE(old_wait.message().find("truncated"), std::string::npos) << old_wait.ToString();
  EXPECT_TRUE(new_wait.ok()) << new_wait.ToString();
  ExpectOnlyRecordsFrom(*log, 40);
  log.reset();
  flusher.Stop();
}

TEST(ShardLogResetTest, TheResetSurvivesAPowerLossThatDropsEverythingUnsynced) {
  TempDir dir;
  FaultInjectionEnv env;
  auto [log, durable] = testutil::CutThenPowerLoss(dir.path(), env, Options(Durability::kFsync, &env),
                                                   [](ShardLog& l) { ASSERT_TRUE(l.ResetTo(600).ok()); });
  ASSERT_NE(log, nullptr);
  ASSERT_GE(durable, 603u);
  EXPECT_EQ(log->EndOffset(), durable);
  ExpectOnlyRecordsFrom(*log, 600, 50);
}

TEST(ShardLogResetTest, ACrashAfterTheResetFileLeavesALogThatOpenFinishesResetting) {
  // Each state a crash can leave once the `reset` file is durable: every old
  // segment still there (the new one not created yet, or created), or some.
  for (const bool new_segment_made : {false, true}) {
    for (const bool oldest_removed : {false, true}) {
      SCOPED_TRACE(testing::Message() << "new segment made " << new_segment_made << ", oldest removed "
                                      << oldest_removed);
      TempDir dir;
      {
        auto log = OpenLog(dir.path(), Options());
        AppendRecords(log.get(), 400, 8, 1000);
        SyncInline(log.get());
      }
      std::vector<uint64_t> old_bases = SegmentBases(dir.path());
      ASSERT_GT(old_bases.size(), 2u);
      SaveResetFile(dir.path(), 900);
      if (new_segment_made) testutil::WriteGarbage(testutil::SegmentPath(dir.path(), 900), "");
      if (oldest_removed) std::filesystem::remove(testutil::SegmentPath(dir.path(), old_bases.front()));

      auto log = OpenLog(dir.path(), Options());
      EXPECT_EQ(log->StartOffset(), 900u);
      EXPECT_EQ(log->EndOffset(), 900u);
      EXPECT_EQ(SegmentBases(dir.path()), std::vector<uint64_t>{900});
      EXPECT_FALSE(HasResetFile(dir.path()));
      for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
        EXPECT_TRUE(entry.path().filename().string().starts_with("00000000000000000900"))
            << entry.path() << " of the old log is left";
      }
      AppendRecords(log.get(), 10, 5, 2000);
      SyncInline(log.get());
      ExpectOnlyRecordsFrom(*log, 900);
    }
  }
}

TEST(ShardLogResetTest, AFailedSaveOfTheResetFileLeavesTheOldLog) {
  TempDir dir;
  FaultInjectionEnv env;
  {
    auto log = OpenLog(dir.path(), Options(Durability::kFsync, &env));
    AppendRecords(log.get(), 200, 8, 1000);
    SyncInline(log.get());
    env.FailNext(FaultOp::kRename, EIO);
    Status s = log->ResetTo(500);
    EXPECT_EQ(s.code(), ErrorCode::kIoError) << s.ToString();
    auto refused = log->Append(std::vector<AppendEntry>{{"k", "v"}}, 3000);
    EXPECT_FALSE(refused.ok()) << "a failed reset fails the log";
  }
  auto log = OpenLog(dir.path(), Options(Durability::kFsync, &env));
  EXPECT_EQ(log->StartOffset(), 0u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 200u);
}

TEST(ShardLogResetTest, AFailureOnceTheResetFileIsSavedIsFinishedByTheNextOpen) {
  TempDir dir;
  FaultInjectionEnv env;
  {
    auto log = OpenLog(dir.path(), Options(Durability::kFsync, &env));
    AppendRecords(log.get(), 200, 8, 1000);
    SyncInline(log.get());
    // The reset file's save syncs the directory once; the new segment's
    // creation syncs it next, and that fails.
    env.FailAfter(FaultOp::kSyncDir, 1, EIO);
    Status s = log->ResetTo(500);
    EXPECT_EQ(s.code(), ErrorCode::kIoError) << s.ToString();
    EXPECT_TRUE(HasResetFile(dir.path()));
  }
  auto log = OpenLog(dir.path(), Options(Durability::kFsync, &env));
  EXPECT_EQ(log->StartOffset(), 500u);
  EXPECT_EQ(log->EndOffset(), 500u);
  EXPECT_EQ(SegmentBases(dir.path()), std::vector<uint64_t>{500});
}

}  // namespace
}  // namespace sluice::storage
