// LogOptions::open_lazily: a log with segments on disk is recovered on its
// first use, not by Open(). A "crash" is a copy of the directory of a log
// still open (as in recovery_test.cc).
#include <gtest/gtest.h>
#include <malloc.h>

#include <atomic>
#include <filesystem>

#include "storage/env.h"
#include "storage/shard_log.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testutil::AppendRecords;
using testutil::CrashCopy;
using testutil::FileSize;
using testutil::ReadAllAndCheck;
using testutil::SegmentPath;
using testutil::TempDir;

// Counts the files opened (segments and index files) through it.
class CountingEnv final : public testutil::ForwardingEnv {
 public:
  Result<int> Open(const std::string& path, OpenMode mode) override {
    opens.fetch_add(1);
    return base_->Open(path, mode);
  }
  Status Truncate(int fd, uint64_t size, const std::string& path) override {
    truncates.fetch_add(1);
    return base_->Truncate(fd, size, path);
  }

  std::atomic<int> opens{0};
  std::atomic<int> truncates{0};
};

LogOptions Options(Env* env, Durability durability = Durability::kOs) {
  LogOptions o;
  o.durability = durability;
  o.segment_max_bytes = 16 << 10;
  o.index_interval_bytes = 1024;
  o.open_lazily = true;
  o.env = env;
  return o;
}

TEST(LazyOpenTest, AnUntouchedLogAfterARestartOpensNoFile) {
  TempDir dir;
  CountingEnv env;
  {
    auto log = std::move(ShardLog::Open(dir.Join("log"), Options(&env), nullptr).value());
    AppendRecords(log.get(), 300, 10, 1000);  // several segments
  }
  env.opens = 0;
  auto log = std::move(ShardLog::Open(dir.Join("log"), Options(&env), nullptr).value());
  EXPECT_EQ(env.opens.load(), 0);
  ASSERT_TRUE(log->Close().ok());  // closing an unused log opens nothing either
  EXPECT_EQ(env.opens.load(), 0);
}

TEST(LazyOpenTest, RetentionWithNothingToTrimLoadsNoLog) {
  TempDir dir;
  CountingEnv env;
  {
    auto log = std::move(ShardLog::Open(dir.Join("log"), Options(&env), nullptr).value());
    AppendRecords(log.get(), 300, 10, 1000);  // several segments
  }
  env.opens = 0;
  auto log = std::move(ShardLog::Open(dir.Join("log"), Options(&env), nullptr).value());
  Result<uint64_t> start = log->TrimOlderThan(900);
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  EXPECT_EQ(*start, 0u);
  EXPECT_EQ(env.opens.load(), 2);  // the oldest segment's two index files, no segment
  ASSERT_TRUE(log->TrimOlderThan(1000).ok());
  EXPECT_EQ(env.opens.load(), 2);  // what they said is remembered
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 300u);
}

TEST(LazyOpenTest, RetentionLoadsAnUntouchedLogWithExpiredSegments) {
  TempDir dir;
  CountingEnv env;
  {
    auto log = std::move(ShardLog::Open(dir.Join("log"), Options(&env), nullptr).value());
    AppendRecords(log.get(), 300, 10, 1000);
    AppendRecords(log.get(), 300, 10, 5000);
  }
  auto log = std::move(ShardLog::Open(dir.Join("log"), Options(&env), nullptr).value());
  Result<uint64_t> start = log->TrimOlderThan(2000);
  ASSERT_TRUE(start.ok()) << start.status().ToString();
  EXPECT_GT(*start, 0u);
  EXPECT_LE(*start, 300u);
  EXPECT_EQ(log->StartOffset(), *start);
  EXPECT_EQ(ReadAllAndCheck(*log, *start), 600u);  // reads up to the end offset
}

TEST(LazyOpenTest, FirstReadRecoversATornTail) {
  TempDir dir;
  CountingEnv env;
  std::string crashed = dir.Join("crashed");
  uint64_t batch9 = 0;
  {
    auto log = std::move(ShardLog::Open(dir.Join("live"), Options(&env), nullptr).value());
    for (int b = 0; b < 10; ++b) {
      if (b == 9) batch9 = log->SizeBytes();
      AppendRecords(log.get(), 10, 10, 1000 + b);
    }
    CrashCopy(dir.Join("live"), crashed);
  }
  std::string segment = SegmentPath(crashed, 0);
  const uint64_t torn = FileSize(segment) - 7;  // mid-way through the last batch
  testutil::TruncateFile(segment, torn);

  env.opens = 0;
  auto log = std::move(ShardLog::Open(crashed, Options(&env), nullptr).value());
  EXPECT_EQ(env.opens.load(), 0);
  EXPECT_EQ(FileSize(segment), torn);  // not recovered yet

  auto read = log->Read(0, 1000, 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->records.size(), 90u);
  EXPECT_GT(env.opens.load(), 0);
  EXPECT_EQ(FileSize(segment), batch9);  // the torn batch was cut before the read
  EXPECT_EQ(log->EndOffset(), 90u);
  AppendRecords(log.get(), 25, 5, 2000);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 115u);
}

TEST(LazyOpenTest, FirstAppendRecoversBeforeItWrites) {
  TempDir dir;
  CountingEnv env;
  std::string crashed = dir.Join("crashed");
  {
    auto log = std::move(ShardLog::Open(dir.Join("live"), Options(&env), nullptr).value());
    AppendRecords(log.get(), 40, 10, 1000);
    CrashCopy(dir.Join("live"), crashed);
  }
  std::string segment = SegmentPath(crashed, 0);
  testutil::TruncateFile(segment, FileSize(segment) - 3);
  auto log = std::move(ShardLog::Open(crashed, Options(&env), nullptr).value());
  auto first = testutil::AppendBatch(log.get(), 5, 2000);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 30u);  // after the 3 whole batches recovery kept
  auto read = log->Read(0, 1000, 1 << 20);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->records.size(), 35u);
  EXPECT_EQ(read->records[29].partition_key, testutil::KeyFor(29));
  EXPECT_EQ(read->records[30].partition_key, "k");
}

// The zero padding a crash leaves ahead of an fsync log's data is not cut
// by the start (1 MiB per shard, a truncate each), but by the first use.
TEST(LazyOpenTest, PaddingLeftByACrashIsCutAtFirstUseNotAtOpen) {
  TempDir dir;
  CountingEnv env;
  LogOptions o = Options(&env, Durability::kFsync);
  o.segment_max_bytes = 4 << 20;
  std::string crashed = dir.Join("crashed");
  uint64_t size;
  {
    auto log = std::move(ShardLog::Open(dir.Join("live"), o, nullptr).value());
    AppendRecords(log.get(), 100, 10, 1000);
    testutil::SyncInline(log.get());  // pads inline
    size = log->SizeBytes();
    ASSERT_GT(FileSize(SegmentPath(dir.Join("live"), 0)), size);
    CrashCopy(dir.Join("live"), crashed);
  }
  const std::string segment = SegmentPath(crashed, 0);
  const uint64_t padded = FileSize(segment);
  env.truncates = 0;
  auto log = std::move(ShardLog::Open(crashed, o, nullptr).value());
  EXPECT_EQ(env.truncates.load(), 0);
  EXPECT_EQ(FileSize(segment), padded);
  EXPECT_EQ(log->VisibleEndOffset(), 100u);  // a getter is a first use too
  EXPECT_EQ(FileSize(segment), size);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 100u);
}

TEST(LazyOpenTest, ARecoveryErrorFailsTheFirstUseAndEveryLaterOne) {
  TempDir dir;
  CountingEnv env;
  {
    auto log = std::move(ShardLog::Open(dir.Join("log"), Options(&env), nullptr).value());
    AppendRecords(log.get(), 20, 10, 1000);
  }
  // Offsets 0.. in a file named for offset 5: no crash makes that.
  std::filesystem::rename(SegmentPath(dir.Join("log"), 0), SegmentPath(dir.Join("log"), 5));
  auto log = ShardLog::Open(dir.Join("log"), Options(&env), nullptr);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  auto read = (*log)->Read(0, 100, 1 << 20);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), ErrorCode::kCorruption) << read.status().ToString();
  auto append = testutil::AppendBatch(log->get(), 1, 2000);
  ASSERT_FALSE(append.ok());
  EXPECT_EQ(append.status().code(), ErrorCode::kCorruption) << append.status().ToString();
  EXPECT_EQ((*log)->EndOffset(), 0u);
}

TEST(LazyOpenTest, ANewLogIsCreatedAtOpen) {
  TempDir dir;
  CountingEnv env;
  auto log = std::move(ShardLog::Open(dir.Join("log"), Options(&env), nullptr).value());
  EXPECT_GT(env.opens.load(), 0);
  EXPECT_TRUE(std::filesystem::exists(SegmentPath(dir.Join("log"), 0)));
}

TEST(LazyOpenTest, ALogClosedBeforeItsFirstUseRefusesCalls) {
  TempDir dir;
  CountingEnv env;
  {
    auto log = std::move(ShardLog::Open(dir.Join("log"), Options(&env), nullptr).value());
    AppendRecords(log.get(), 10, 10, 1000);
  }
  auto log = std::move(ShardLog::Open(dir.Join("log"), Options(&env), nullptr).value());
  ASSERT_TRUE(log->Close().ok());
  auto read = log->Read(0, 10, 1 << 20);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), ErrorCode::kIoError);
  EXPECT_FALSE(testutil::AppendBatch(log.get(), 1, 2000).ok());
}

// Heap bytes in use (glibc's mallinfo2).
size_t HeapInUse() { return mallinfo2().uordblks; }

// What a shard left untouched after a restart costs in memory: the log's
// own state, with no segment, file or index loaded.
TEST(LazyOpenTest, AnUntouchedLogAfterARestartCostsLittleHeap) {
  TempDir dir;
  CountingEnv env;
  constexpr int kLogs = 1000;
  LogOptions o = Options(&env, Durability::kFsync);
  for (int i = 0; i < kLogs; ++i) {
    auto log = std::move(ShardLog::Open(dir.Join(std::to_string(i)), o, nullptr).value());
    AppendRecords(log.get(), 1, 1, 1000);
  }
  std::vector<std::unique_ptr<ShardLog>> logs;
  logs.reserve(kLogs);
  const size_t before = HeapInUse();
  for (int i = 0; i < kLogs; ++i) {
    logs.push_back(std::move(ShardLog::Open(dir.Join(std::to_string(i)), o, nullptr).value()));
  }
  const size_t per_log = (HeapInUse() - before) / kLogs;
  EXPECT_LT(per_log, 256u);  // about 175: the handle (storage::ShardLog) and its path
  RecordProperty("heap_bytes_per_untouched_log", static_cast<int>(per_log));
  // Used, each recovers its segment (and costs what a loaded log costs).
  for (auto& log : logs) EXPECT_EQ(log->EndOffset(), 1u);
  const size_t loaded = (HeapInUse() - before) / kLogs;
  EXPECT_GT(loaded, 2 * per_log);
  std::printf("heap per log: untouched %zu bytes, loaded %zu bytes\n", per_log, loaded);
}

}  // namespace
}  // namespace sluice::storage
