// ShardLog::UnloadIfIdle: a log idle for long enough goes back to the small
// handle a lazily opened log is after a restart, and its next use loads it
// again with every record; a log in use, or with a durability wait pending,
// stays loaded. SizeBytes() of a log that is not loaded does not load it.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "storage/shard_log.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testutil::AppendRecords;
using testutil::ReadAllAndCheck;
using testutil::TempDir;
using testutil::WaitFor;

LogOptions Options(Durability durability) {
  LogOptions o;
  o.durability = durability;
  o.segment_max_bytes = 16 << 10;
  o.index_interval_bytes = 1024;
  o.open_lazily = true;
  return o;
}

class IdleUnloadTest : public ::testing::TestWithParam<Durability> {};

TEST_P(IdleUnloadTest, AnIdleLogUnloadsAndReloadsWithEveryRecord) {
  TempDir dir;
  Flusher flusher;
  flusher.Start();
  auto log = std::move(ShardLog::Open(dir.Join("log"), Options(GetParam()), &flusher).value());
  AppendRecords(log.get(), 300, 10, 1000);  // several segments
  std::atomic<bool> durable{false};
  log->WhenDurable(log->EndOffset(), [&](Status s) { durable = s.ok(); });
  ASSERT_TRUE(WaitFor([&] { return durable.load(); }));
  const uint64_t size = log->SizeBytes();

  // The flusher's round holds the log until shortly after the callback ran.
  ASSERT_TRUE(WaitFor([&] { return log->UnloadIfIdle(0); }));
  EXPECT_FALSE(log->IsLoaded());
  EXPECT_FALSE(log->UnloadIfIdle(0));  // nothing left to unload

  EXPECT_EQ(ReadAllAndCheck(*log, 0), 300u);
  EXPECT_TRUE(log->IsLoaded());
  EXPECT_EQ(log->EndOffset(), 300u);
  EXPECT_EQ(log->SizeBytes(), size);
  AppendRecords(log.get(), 20, 10, 2000);
  durable = false;
  log->WhenDurable(log->EndOffset(), [&](Status s) { durable = s.ok(); });
  ASSERT_TRUE(WaitFor([&] { return durable.load(); }));
  ASSERT_TRUE(WaitFor([&] { return log->UnloadIfIdle(0); }));
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 320u);
}

TEST_P(IdleUnloadTest, ALogUsedWithinTheIdleTimeStaysLoaded) {
  TempDir dir;
  Flusher flusher;
  flusher.Start();
  auto log = std::move(ShardLog::Open(dir.Join("log"), Options(GetParam()), &flusher).value());
  AppendRecords(log.get(), 10, 10, 1000);
  EXPECT_FALSE(log->UnloadIfIdle(60'000));
  EXPECT_TRUE(log->IsLoaded());
}

INSTANTIATE_TEST_SUITE_P(Modes, IdleUnloadTest, ::testing::Values(Durability::kFsync, Durability::kOs),
                         [](const auto& info) { return info.param == Durability::kFsync ? "Fsync" : "Os"; });

TEST(IdleUnloadTest, ALogWithADurabilityWaitPendingStaysLoaded) {
  TempDir dir;
  Flusher flusher;  // not started: requests wait for Start()
  auto log = std::move(ShardLog::Open(dir.Join("log"), Options(Durability::kFsync), &flusher).value());
  AppendRecords(log.get(), 10, 10, 1000);
  std::atomic<bool> durable{false};
  log->WhenDurable(log->EndOffset(), [&](Status s) { durable = s.ok(); });
  EXPECT_FALSE(log->UnloadIfIdle(0));  // unsynced records, a wait queued
  flusher.Start();
  ASSERT_TRUE(WaitFor([&] { return durable.load(); }));
  ASSERT_TRUE(WaitFor([&] { return log->UnloadIfIdle(0); }));  // the round lets go of it
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 10u);
}

TEST(IdleUnloadTest, AMemoryLogIsNeverUnloaded) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.Join("log"), Options(Durability::kMemory), nullptr).value());
  AppendRecords(log.get(), 10, 10, 1000);
  EXPECT_FALSE(log->UnloadIfIdle(0));
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 10u);
}

TEST(IdleUnloadTest, TheSizeOfALogNotLoadedIsAnsweredWithoutLoadingIt) {
  TempDir dir;
  uint64_t size;
  {
    auto log = std::move(ShardLog::Open(dir.Join("log"), Options(Durability::kOs), nullptr).value());
    AppendRecords(log.get(), 300, 10, 1000);
    size = log->SizeBytes();
  }
  auto log = std::move(ShardLog::Open(dir.Join("log"), Options(Durability::kOs), nullptr).value());
  ASSERT_FALSE(log->IsLoaded());
  EXPECT_EQ(log->SizeBytes(), size);  // from the segment files
  EXPECT_FALSE(log->IsLoaded());
  EXPECT_EQ(log->EndOffset(), 300u);
  ASSERT_TRUE(log->UnloadIfIdle(0));
  EXPECT_EQ(log->SizeBytes(), size);  // as it was unloaded
  EXPECT_FALSE(log->IsLoaded());
}

TEST(IdleUnloadTest, AnUnloadedLogClosesAndIsDestroyedWithoutLoading) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.Join("log"), Options(Durability::kOs), nullptr).value());
  AppendRecords(log.get(), 10, 10, 1000);
  ASSERT_TRUE(log->UnloadIfIdle(0));
  ASSERT_TRUE(log->Destroy().ok());
  EXPECT_FALSE(std::filesystem::exists(dir.Join("log")));
  EXPECT_FALSE(log->Read(0, 10, 1 << 20).ok());
}

}  // namespace
}  // namespace sluice::storage

namespace sluice::storage {
namespace {

// A one-segment log keeps no index files at close (a last segment of one
// index entry gets none), so its unload remembers its newest arrival: the
// retention pass after it does not load the log again to learn it.
TEST(IdleUnloadTest, RetentionDoesNotLoadAnUnloadedOneSegmentLogWithNothingExpired) {
  TempDir dir;
  Flusher flusher;
  flusher.Start();
  auto log = std::move(ShardLog::Open(dir.Join("log"), Options(Durability::kFsync), &flusher).value());
  AppendRecords(log.get(), 3, 10, 5000);  // one small segment, arrival 5000
  std::atomic<bool> durable{false};
  log->WhenDurable(log->EndOffset(), [&](Status s) { durable = s.ok(); });
  ASSERT_TRUE(WaitFor([&] { return durable.load(); }));
  ASSERT_TRUE(WaitFor([&] { return log->UnloadIfIdle(0); }));

  Result<uint64_t> start = log->TrimOlderThan(4000);  // nothing arrived before 4000
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  EXPECT_EQ(*start, 0u);
  EXPECT_FALSE(log->IsLoaded()) << "answered from what the unload kept";
  // Something that may have expired is still looked at.
  ASSERT_TRUE(log->TrimOlderThan(6000).ok());
  EXPECT_TRUE(log->IsLoaded());
}

}  // namespace
}  // namespace sluice::storage
