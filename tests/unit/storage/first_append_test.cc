// What a log leaves on disk: with LogOptions::create_on_first_append a log
// never written has no files at all, its first append creates them and their
// directory entries are durable before that append is acknowledged; at
// Close, index files are written only where they save recovery work.
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <map>
#include <mutex>

#include "storage/shard_log.h"
#include "storage/testing/fault_injection_env.h"
#include "storage_test_util.h"
#include "util/log.h"

namespace sluice::storage {
namespace {

namespace fs = std::filesystem;
using testutil::AppendRecords;
using testutil::ReadAllAndCheck;
using testutil::SegmentPath;
using testutil::SyncInline;
using testutil::TempDir;

LogOptions Deferred(Durability d, Env* env = Env::Default()) {
  LogOptions o;
  o.durability = d;
  o.segment_max_bytes = 16 << 10;
  o.index_interval_bytes = 1024;
  o.create_on_first_append = true;
  o.open_lazily = true;
  o.env = env;
  return o;
}

// A kFsync log in `dir`, without a flusher (WhenDurable syncs inline).
std::unique_ptr<ShardLog> OpenFsync(const std::string& dir, Env* env = Env::Default()) {
  return std::move(ShardLog::Open(dir, Deferred(Durability::kFsync, env), nullptr).value());
}

// Counts the directory syncs of each directory.
class CountingEnv final : public testutil::ForwardingEnv {
 public:
  Status SyncDir(const std::string& dir) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++dir_syncs_[fs::path(dir).lexically_normal().string()];
    return base_->SyncDir(dir);
  }
  int DirSyncs(const std::string& dir) {
    std::lock_guard<std::mutex> lock(mu_);
    return dir_syncs_[fs::path(dir).lexically_normal().string()];
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> dir_syncs_;
};

TEST(FirstAppendTest, ALogNeverWrittenHasNoFilesAndReopensEmpty) {
  TempDir dir;
  const std::string log_dir = dir.Join("shard");
  for (Durability d : {Durability::kFsync, Durability::kOs}) {
    for (int open = 0; open < 2; ++open) {
      auto log = std::move(ShardLog::Open(log_dir, Deferred(d), nullptr).value());
      EXPECT_EQ(log->EndOffset(), 0u);
      auto read = log->Read(0, 10, 1 << 20);
      ASSERT_TRUE(read.ok()) << read.status().ToString();
      EXPECT_TRUE(read->records.empty());
      EXPECT_EQ(log->OffsetForTime(0).value(), 0u);
      EXPECT_EQ(log->TrimOlderThan(1 << 30).value(), 0u);
      ASSERT_TRUE(log->Close().ok());
      EXPECT_FALSE(fs::exists(log_dir));
    }
  }
  auto log = OpenFsync(log_dir);
  EXPECT_TRUE(log->Destroy().ok());
}

TEST(FirstAppendTest, TheFirstAppendCreatesTheDirectoryAndSegmentAndTheLogReopensWithIt) {
  TempDir dir;
  const std::string log_dir = dir.Join("shard");
  {
    auto log = OpenFsync(log_dir);
    AppendRecords(log.get(), 3, 3, 1000);
    EXPECT_TRUE(fs::exists(SegmentPath(log_dir, 0)));
    SyncInline(log.get());
    EXPECT_EQ(ReadAllAndCheck(*log, 0), 3u);
  }
  auto log = OpenFsync(log_dir);
  EXPECT_EQ(log->EndOffset(), 3u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 3u);
  EXPECT_TRUE(log->Destroy().ok());
  EXPECT_FALSE(fs::exists(log_dir));
}

TEST(FirstAppendTest, AnAcknowledgedFirstAppendSurvivesAPowerLoss) {
  TempDir dir;
  FaultInjectionEnv env;
  const std::string log_dir = dir.Join("shard");
  {
    auto log = OpenFsync(log_dir, &env);
    AppendRecords(log.get(), 3, 3, 1000);
    SyncInline(log.get());
  }
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  auto log = OpenFsync(log_dir, &env);
  EXPECT_EQ(log->EndOffset(), 3u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 3u);
}

TEST(FirstAppendTest, AFirstAppendNotYetSyncedLeavesAnEmptyLogAfterAPowerLoss) {
  TempDir dir;
  FaultInjectionEnv env;
  const std::string log_dir = dir.Join("shard");
  auto log = OpenFsync(log_dir, &env);
  AppendRecords(log.get(), 3, 3, 1000);
  // The segment's entry was not synced: the power loss takes the file.
  ASSERT_TRUE(env.DropUnsyncedData().ok());
  EXPECT_FALSE(fs::exists(SegmentPath(log_dir, 0)));
  auto reopened = OpenFsync(log_dir, &env);
  EXPECT_EQ(reopened->EndOffset(), 0u);
  AppendRecords(reopened.get(), 2, 2, 1000);  // and it is created again
  SyncInline(reopened.get());
  EXPECT_EQ(ReadAllAndCheck(*reopened, 0), 2u);
}

TEST(FirstAppendTest, AFailedDirectorySyncFailsTheFirstAcknowledgement) {
  log::SetLevel(log::Level::kError);  // quieter: the failure is logged
  TempDir dir;
  FaultInjectionEnv env;
  auto log = OpenFsync(dir.Join("shard"), &env);
  AppendRecords(log.get(), 3, 3, 1000);
  env.FailNext(FaultOp::kSyncDir, EIO);
  Status acked = Status::Ok();
  bool done = false;
  log->WhenDurable(log->EndOffset(), [&](Status s) {
    acked = s;
    done = true;
  });
  log::SetLevel(log::Level::kInfo);
  ASSERT_TRUE(done);
  EXPECT_FALSE(acked.ok());
  EXPECT_EQ(log->VisibleEndOffset(), 0u);
}

TEST(FirstAppendTest, OneFlusherRoundSyncsTheSharedParentDirectoryOnce) {
  TempDir dir;
  CountingEnv env;
  Flusher flusher;  // not started: the requests wait, then ride one round
  constexpr int kLogs = 5;
  std::vector<std::unique_ptr<ShardLog>> logs;
  std::atomic<int> acked{0};
  for (int i = 0; i < kLogs; ++i) {
    logs.push_back(std::move(
        ShardLog::Open(dir.Join("shard-" + std::to_string(i)), Deferred(Durability::kFsync, &env), &flusher).value()));
    AppendRecords(logs.back().get(), 1, 1, 1000);
    logs.back()->WhenDurable(1, [&](Status s) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      ++acked;
    });
  }
  EXPECT_EQ(env.DirSyncs(dir.path()), 0);  // nothing synced before the round
  flusher.Start();
  ASSERT_TRUE(testutil::WaitFor([&] { return acked.load() == kLogs; }));
  EXPECT_EQ(flusher.RoundCount(), 1u);
  EXPECT_EQ(env.DirSyncs(dir.path()), 1);
  for (int i = 0; i < kLogs; ++i) EXPECT_EQ(env.DirSyncs(dir.Join("shard-" + std::to_string(i))), 1);
}

TEST(FirstAppendTest, CloseWritesNoIndexForAnEmptyLastSegmentAndOneForAnyHoldingRecords) {
  TempDir dir;
  const std::string log_dir = dir.Join("shard");
  const std::string index = SegmentPath(log_dir, 0, ".index");
  const std::string time_index = SegmentPath(log_dir, 0, ".timeindex");
  LogOptions created_at_open = Deferred(Durability::kOs);
  created_at_open.create_on_first_append = false;
  ASSERT_TRUE(ShardLog::Open(log_dir, created_at_open, nullptr).value()->Close().ok());
  EXPECT_TRUE(fs::exists(SegmentPath(log_dir, 0)));  // an empty segment
  EXPECT_FALSE(fs::exists(index));
  EXPECT_FALSE(fs::exists(time_index));

  {
    auto log = std::move(ShardLog::Open(log_dir, Deferred(Durability::kOs), nullptr).value());
    AppendRecords(log.get(), 2, 2, 1000);  // one batch: one index entry, at position 0
  }
  // Even one entry: retention reads the newest arrival from it without loading the log.
  EXPECT_TRUE(fs::exists(index));
  EXPECT_TRUE(fs::exists(time_index));
  {
    auto log = std::move(ShardLog::Open(log_dir, Deferred(Durability::kOs), nullptr).value());
    EXPECT_EQ(ReadAllAndCheck(*log, 0), 2u);
    AppendRecords(log.get(), 40, 4, 1000);  // past the 1 KiB index interval
  }
  EXPECT_TRUE(fs::exists(index));
  EXPECT_TRUE(fs::exists(time_index));
  auto log = std::move(ShardLog::Open(log_dir, Deferred(Durability::kOs), nullptr).value());
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 42u);
}

TEST(FirstAppendTest, RolledSegmentsKeepTheirIndexFiles) {
  TempDir dir;
  const std::string log_dir = dir.Join("shard");
  uint64_t end = 0;
  {
    auto log = std::move(ShardLog::Open(log_dir, Deferred(Durability::kOs), nullptr).value());
    testutil::FillToJustBelowARoll(log.get(), 16 << 10);
    AppendRecords(log.get(), 40, 40, 1000);  // rolls: the first segment is sealed
    end = log->EndOffset();
  }
  ASSERT_TRUE(fs::exists(SegmentPath(log_dir, end - 40)));
  EXPECT_TRUE(fs::exists(SegmentPath(log_dir, 0, ".index")));
  EXPECT_TRUE(fs::exists(SegmentPath(log_dir, 0, ".timeindex")));
  auto log = std::move(ShardLog::Open(log_dir, Deferred(Durability::kOs), nullptr).value());
  EXPECT_EQ(ReadAllAndCheck(*log, 0), end);
}

}  // namespace
}  // namespace sluice::storage
