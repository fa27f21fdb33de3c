// ShardLog under failures injected at a chosen call (FaultInjectionEnv): a
// failed fdatasync, a write cut short, a cut-back that fails too, and a roll
// whose segment cannot be created. Each checks what was acknowledged, what
// is refused, and what a reopen after a power loss finds.
#include <gtest/gtest.h>

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

using testutil::AppendBatch;
using testutil::AppendRecords;
using testutil::FillToJustBelowARoll;
using testutil::ReadAllAndCheck;
using testutil::SegmentPath;
using testutil::TempDir;
using testutil::WaitFor;

LogOptions Options(Env* env, Durability d = Durability::kFsync) {
  LogOptions o;
  o.durability = d;
  o.segment_max_bytes = 16 << 10;
  o.index_interval_bytes = 1024;
  o.env = env;
  return o;
}

// WhenDurable's answer for everything appended so far, waited for.
Status WaitDurable(ShardLog* log) {
  std::atomic<bool> done{false};
  Status result;
  log->WhenDurable(log->EndOffset(), [&](Status s) {
    result = s;
    done = true;
  });
  EXPECT_TRUE(WaitFor([&] { return done.load(); }));
  return result;
}

TEST(ShardLogFaultTest, AFailedFdatasyncAcknowledgesNothingMoreAndTheLogStaysFailed) {
  TempDir dir;
  FaultInjectionEnv env;
  uint64_t acked = 0;
  {
    Flusher flusher;
    flusher.Start();
    auto log = std::move(ShardLog::Open(dir.path(), Options(&env), &flusher).value());
    AppendRecords(log.get(), 20, 5, 1000);
    ASSERT_TRUE(WaitDurable(log.get()).ok());
    acked = log->EndOffset();
    ASSERT_EQ(log->VisibleEndOffset(), acked);

    AppendRecords(log.get(), 10, 5, 1000);
    env.FailNext(FaultOp::kSync, EIO, ".log");
    Status failed = WaitDurable(log.get());
    EXPECT_EQ(failed.code(), ErrorCode::kIoError);
    EXPECT_NE(failed.message().find("Input/output error"), std::string::npos) << failed.ToString();
    EXPECT_EQ(env.FailuresInjected(), 1u);
    EXPECT_EQ(log->VisibleEndOffset(), acked);

    // The next sync would succeed at the disk, but the log does not trust it.
    EXPECT_EQ(WaitDurable(log.get()).code(), ErrorCode::kIoError);
    EXPECT_EQ(log->VisibleEndOffset(), acked);
    auto refused = AppendBatch(log.get(), 1);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.status().code(), ErrorCode::kIoError);
    auto visible = log->Read(0, 1000, 1 << 20);
    ASSERT_TRUE(visible.ok());
    EXPECT_EQ(visible->next_offset, acked);
    env.SetPowerOn(false);  // the power fails before anything else reaches the disk
  }
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  env.SetPowerOn(true);
  auto log = std::move(ShardLog::Open(dir.path(), Options(&env), nullptr).value());
  EXPECT_EQ(log->EndOffset(), acked);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), acked);
}

TEST(ShardLogFaultTest, AWriteCutShortIsCutBackAndTheNextAppendTakesItsOffset) {
  TempDir dir;
  FaultInjectionEnv env;
  auto log = std::move(ShardLog::Open(dir.path(), Options(&env, Durability::kOs), nullptr).value());
  AppendRecords(log.get(), 10, 5, 1000);
  const uint64_t size = log->SizeBytes();
  env.FailNext(FaultOp::kWrite, ENOSPC, ".log");
  auto failed = AppendBatch(log.get(), 5);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("No space left on device"), std::string::npos);
  EXPECT_EQ(env.FailuresInjected(), 1u);
  EXPECT_EQ(log->EndOffset(), 10u);
  EXPECT_EQ(testutil::FileSize(SegmentPath(dir.path(), 0)), size) << "the partial batch remains";

  AppendRecords(log.get(), 10, 5, 1000);  // offsets 10.. again
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 20u);
  log.reset();
  auto reopened = std::move(ShardLog::Open(dir.path(), Options(&env, Durability::kOs), nullptr).value());
  EXPECT_EQ(ReadAllAndCheck(*reopened, 0), 20u);
}

TEST(ShardLogFaultTest, AWriteThatCannotBeCutBackFailsTheFileAndTheLog) {
  TempDir dir;
  FaultInjectionEnv env;
  auto log = std::move(ShardLog::Open(dir.path(), Options(&env, Durability::kOs), nullptr).value());
  AppendRecords(log.get(), 10, 5, 1000);
  env.FailNext(FaultOp::kWrite, ENOSPC, ".log");
  env.FailNext(FaultOp::kTruncate, EIO, ".log");
  auto failed = AppendBatch(log.get(), 5);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("cannot cut"), std::string::npos) << failed.status().ToString();
  EXPECT_EQ(env.FailuresInjected(), 2u);
  EXPECT_EQ(log->EndOffset(), 10u);

  // The disk works again, but the file may hold part of a batch: no more
  // appends, and the records before it stay readable.
  EXPECT_EQ(AppendBatch(log.get(), 1).status().code(), ErrorCode::kIoError);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 10u);
  log.reset();
  // Recovery cuts the torn batch.
  auto reopened = std::move(ShardLog::Open(dir.path(), Options(&env, Durability::kOs), nullptr).value());
  EXPECT_EQ(reopened->EndOffset(), 10u);
  AppendRecords(reopened.get(), 5, 5, 1000);
  EXPECT_EQ(ReadAllAndCheck(*reopened, 0), 15u);
}

TEST(ShardLogFaultTest, ARollWhoseSegmentCannotBeCreatedIsRetriedByTheNextAppend) {
  TempDir dir;
  FaultInjectionEnv env;
  auto log = std::move(ShardLog::Open(dir.path(), Options(&env), nullptr).value());
  FillToJustBelowARoll(log.get(), 16 << 10);
  testutil::SyncInline(log.get());
  const uint64_t filled = log->EndOffset();
  env.FailNext(FaultOp::kCreate, EMFILE, ".log");
  auto failed = AppendBatch(log.get(), 30);
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("cannot create segment"), std::string::npos) << failed.status().ToString();
  EXPECT_EQ(env.FailuresInjected(), 1u);
  EXPECT_EQ(log->EndOffset(), filled);
  EXPECT_FALSE(std::filesystem::exists(SegmentPath(dir.path(), filled)));

  AppendRecords(log.get(), 40, 40, 1000);  // the roll again, now made
  testutil::SyncInline(log.get());
  EXPECT_TRUE(std::filesystem::exists(SegmentPath(dir.path(), filled)));
  EXPECT_EQ(ReadAllAndCheck(*log, 0), filled + 40);
  log.reset();
  ASSERT_TRUE(env.DropUnsyncedData().ok());  // everything acknowledged was synced
  auto reopened = std::move(ShardLog::Open(dir.path(), Options(&env), nullptr).value());
  EXPECT_EQ(ReadAllAndCheck(*reopened, 0), filled + 40);
}

TEST(ShardLogFaultTest, ARollWhoseDirectorySyncFailsLeavesNoEmptySegmentBehind) {
  TempDir dir;
  FaultInjectionEnv env;
  auto log = std::move(ShardLog::Open(dir.path(), Options(&env), nullptr).value());
  FillToJustBelowARoll(log.get(), 16 << 10);
  const uint64_t filled = log->EndOffset();
  env.FailNext(FaultOp::kSyncDir, EIO);
  EXPECT_FALSE(AppendBatch(log.get(), 30).ok());
  EXPECT_EQ(env.FailuresInjected(), 1u);
  EXPECT_FALSE(std::filesystem::exists(SegmentPath(dir.path(), filled)));
  AppendRecords(log.get(), 40, 40, 1000);  // the roll again, now made
  testutil::SyncInline(log.get());
  EXPECT_TRUE(std::filesystem::exists(SegmentPath(dir.path(), filled)));
  EXPECT_EQ(ReadAllAndCheck(*log, 0), filled + 40);
}

}  // namespace
}  // namespace sluice::storage
