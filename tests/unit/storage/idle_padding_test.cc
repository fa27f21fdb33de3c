// Zero padding (docs/log-format.md, 2.4) costs disk only while a shard is
// written: the flusher cuts it once the log is idle, Close() cuts it, both
// sync the cut, and Open() does not write it afresh. A simulated power loss
// (FaultInjectionEnv) around the cut loses no acknowledged record.
#include <gtest/gtest.h>

#include <cerrno>

#include "storage/shard_log.h"
#include "storage/testing/fault_injection_env.h"
#include "storage_test_util.h"
#include "util/log.h"

namespace sluice::storage {
namespace {

using testutil::AppendRecords;
using testutil::FileSize;
using testutil::ReadAllAndCheck;
using testutil::TempDir;
using testutil::WaitFor;

LogOptions FsyncOptions(Env* env = Env::Default()) {
  LogOptions o;
  o.durability = Durability::kFsync;
  o.env = env;
  return o;
}

std::string Segment0(const TempDir& dir) { return dir.Join("00000000000000000000.log"); }

// Appends `count` records and waits until they are acknowledged.
void AppendDurably(ShardLog* log, uint64_t count, int64_t arrival_ms) {
  AppendRecords(log, count, 10, arrival_ms);
  std::atomic<bool> done{false};
  log->WhenDurable(log->EndOffset(), [&](Status s) {
    EXPECT_TRUE(s.ok()) << s.ToString();
    done = true;
  });
  ASSERT_TRUE(WaitFor([&] { return done.load(); }));
}

TEST(IdlePaddingTest, TheFlusherCutsThePaddingOfAnIdleLogAndPadsItAgainOnceWritten) {
  TempDir dir;
  Flusher flusher(FlusherOptions{.idle_padding_ms = 20});
  flusher.Start();
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), &flusher).value());
  AppendDurably(log.get(), 100, 1000);
  ASSERT_TRUE(WaitFor([&] { return flusher.PaddingCutCount() == 1; }));
  EXPECT_EQ(FileSize(Segment0(dir)), log->SizeBytes());

  // Written again: padded after the round (the flusher only looks at logs it
  // padded), and cut again once idle.
  AppendDurably(log.get(), 100, 2000);
  ASSERT_TRUE(WaitFor([&] { return flusher.PaddingCutCount() == 2; }));
  EXPECT_EQ(FileSize(Segment0(dir)), log->SizeBytes());
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 200u);
}

TEST(IdlePaddingTest, AnIdleLogWithNoPaddingLeftIsNotCountedAsCut) {
  TempDir dir_a, dir_b;
  Flusher flusher(FlusherOptions{.idle_padding_ms = 500});
  flusher.Start();
  auto a = std::move(ShardLog::Open(dir_a.path(), FsyncOptions(), &flusher).value());
  auto b = std::move(ShardLog::Open(dir_b.path(), FsyncOptions(), &flusher).value());
  AppendDurably(a.get(), 100, 1000);
  ASSERT_TRUE(WaitFor([&] { return FileSize(Segment0(dir_a)) > a->SizeBytes(); }));
  // Retention hands a's padded segment over to a new, empty one: the flusher
  // still holds a as padded, but there is nothing left to cut.
  ASSERT_TRUE(a->TrimOlderThan(2000).ok());
  AppendDurably(b.get(), 100, 1000);  // padded after a, so idle after a too
  ASSERT_TRUE(WaitFor([&] { return FileSize(Segment0(dir_b)) > b->SizeBytes(); }));
  ASSERT_EQ(flusher.PaddingCutCount(), 0u) << "the setup outlasted the idle time";

  // b's cut is counted in the pass that finds a idle too; Stop() lets that
  // pass finish.
  ASSERT_TRUE(WaitFor([&] { return flusher.PaddingCutCount() >= 1; }));
  flusher.Stop();
  EXPECT_EQ(flusher.PaddingCutCount(), 1u);
  EXPECT_EQ(FileSize(Segment0(dir_b)), b->SizeBytes());
}

TEST(IdlePaddingTest, ALogWrittenToKeepsItsPaddingWhileItIsNotIdle) {
  TempDir dir;
  Flusher flusher(FlusherOptions{.idle_padding_ms = 60'000});
  flusher.Start();
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(), &flusher).value());
  AppendDurably(log.get(), 100, 1000);
  // The round pads after answering: wait for it.
  ASSERT_TRUE(WaitFor([&] { return FileSize(Segment0(dir)) > log->SizeBytes(); }));
  EXPECT_EQ(flusher.PaddingCutCount(), 0u);
}

TEST(IdlePaddingTest, OpenDoesNotPadAndCloseCutsThePaddingDurably) {
  TempDir dir;
  FaultInjectionEnv env;
  uint64_t size;
  {
    auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(&env), nullptr).value());
    AppendDurably(log.get(), 100, 1000);  // no flusher: synced and padded inline
    size = log->SizeBytes();
    ASSERT_GT(FileSize(Segment0(dir)), size);
  }
  // The cut was synced: a power loss after the close does not bring it back.
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  EXPECT_EQ(FileSize(Segment0(dir)), size);
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(&env), nullptr).value());
  EXPECT_EQ(FileSize(Segment0(dir)), size);  // an idle log is not padded at start
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 100u);
}

TEST(IdlePaddingTest, APowerLossAfterAnIdleCutKeepsEveryAcknowledgedRecord) {
  TempDir dir;
  FaultInjectionEnv env;
  uint64_t size;
  {
    Flusher flusher(FlusherOptions{.idle_padding_ms = 20});
    flusher.Start();
    auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(&env), &flusher).value());
    AppendDurably(log.get(), 100, 1000);
    ASSERT_TRUE(WaitFor([&] { return flusher.PaddingCutCount() == 1; }));
    size = log->SizeBytes();
    env.SetPowerOn(false);  // the close writes nothing
    (void)log->Close();
  }
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  env.SetPowerOn(true);
  EXPECT_EQ(FileSize(Segment0(dir)), size);  // the cut was synced
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(&env), nullptr).value());
  EXPECT_EQ(log->EndOffset(), 100u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 100u);
}

TEST(IdlePaddingTest, APowerLossDuringTheSyncOfAnIdleCutBringsThePaddingBackAndRecoveryCutsIt) {
  log::SetLevel(log::Level::kError);  // the failed sync is logged
  TempDir dir;
  FaultInjectionEnv env;
  {
    Flusher flusher(FlusherOptions{.idle_padding_ms = 20});
    flusher.Start();
    auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(&env), &flusher).value());
    // The segment's syncs: the round's, the padding's, then the cut's.
    env.PowerOffAt(FaultOp::kSync, 2, ".log");
    AppendDurably(log.get(), 100, 1000);
    ASSERT_TRUE(WaitFor([&] { return env.FailuresInjected() == 1; }));
    EXPECT_EQ(FileSize(Segment0(dir)), log->SizeBytes());  // cut, not synced
    // A failed sync fails the log: nothing more is acknowledged.
    auto refused = testutil::AppendBatch(log.get(), 1);
    EXPECT_FALSE(refused.ok());
    (void)log->Close();
  }
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  env.SetPowerOn(true);
  const uint64_t restored = FileSize(Segment0(dir));
  auto log = std::move(ShardLog::Open(dir.path(), FsyncOptions(&env), nullptr).value());
  EXPECT_EQ(log->EndOffset(), 100u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 100u);
  EXPECT_GT(restored, log->SizeBytes());                 // the padding came back
  EXPECT_EQ(FileSize(Segment0(dir)), log->SizeBytes());  // and recovery cut it
  log::SetLevel(log::Level::kInfo);
}

}  // namespace
}  // namespace sluice::storage
