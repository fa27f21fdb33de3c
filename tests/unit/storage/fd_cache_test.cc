// Descriptors: segment files, active or sealed, are opened on demand, at most
// FdCache's capacity of them at once (plus calls in flight and, in fsync
// mode, writes waiting for their sync).
#include "storage/fd_cache.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <thread>
#include <memory>

#include "storage/shard_log.h"
#include "storage/testing/fault_injection_env.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testutil::AppendRecords;
using testutil::ReadAllAndCheck;
using testutil::TempDir;

// Entries in /proc/self/fd: this process's open descriptors.
size_t OpenFds() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    ++n;
  }
  return n;
}

size_t CountFiles(const std::string& dir, const std::string& suffix) {
  size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == suffix) ++n;
  }
  return n;
}

bool IsOpen(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

// Sets the process-wide capacity for one test and restores it after.
class ScopedCapacity {
 public:
  explicit ScopedCapacity(size_t capacity) : saved_(FdCache::Instance().Capacity()) {
    FdCache::Instance().SetCapacity(capacity);
  }
  ~ScopedCapacity() { FdCache::Instance().SetCapacity(saved_); }

 private:
  const size_t saved_;
};

std::shared_ptr<FdHandle> OpenNull() {
  int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  return std::make_shared<FdHandle>(fd);
}

TEST(FdCacheTest, EvictsTheLeastRecentlyUsedBeyondItsCapacity) {
  FdCache cache;
  cache.SetCapacity(2);
  auto a = OpenNull(), b = OpenNull(), c = OpenNull();
  const int fa = a->fd(), fb = b->fd();
  cache.Use(a);
  cache.Use(b);
  cache.Use(a);  // b is now the least recently used
  std::weak_ptr<FdHandle> weak_b = b;
  b.reset();
  cache.Use(c);
  EXPECT_EQ(cache.Size(), 2u);
  EXPECT_TRUE(weak_b.expired());  // evicted and unused: closed
  EXPECT_FALSE(IsOpen(fb));
  EXPECT_TRUE(IsOpen(fa));
}

TEST(FdCacheTest, AnEvictedDescriptorInUseStaysOpenUntilReleased) {
  FdCache cache;
  cache.SetCapacity(1);
  auto a = OpenNull(), b = OpenNull();
  const int fa = a->fd();
  cache.Use(a);
  cache.Use(b);  // evicts a, which the test still holds
  EXPECT_EQ(cache.Size(), 1u);
  EXPECT_TRUE(IsOpen(fa));
  a.reset();
  EXPECT_FALSE(IsOpen(fa));
}

TEST(FdCacheTest, DropForgetsAHandle) {
  FdCache cache;
  auto a = OpenNull();
  cache.Use(a);
  cache.Drop(a.get());
  EXPECT_EQ(cache.Size(), 0u);
  cache.Drop(a.get());  // twice is harmless
  const int fa = a->fd();
  a.reset();
  EXPECT_FALSE(IsOpen(fa));
}

LogOptions ManySegments(Durability durability) {
  LogOptions o;
  o.durability = durability;
  o.segment_max_bytes = 4 << 10;  // 3 batches of 10 records per segment
  o.index_interval_bytes = 1024;
  return o;
}

class SegmentFdTest : public testing::TestWithParam<Durability> {};

TEST_P(SegmentFdTest, ALogWithManySegmentsKeepsOnlyTheActiveOneOpen) {
  ScopedCapacity capacity(8);
  TempDir dir;
  const size_t before = OpenFds();
  const LogOptions options = ManySegments(GetParam());
  {
    auto log = std::move(ShardLog::Open(dir.path(), options, nullptr).value());
    AppendRecords(log.get(), 2000, 10, 1000, /*tick=*/true);
    testutil::SyncInline(log.get());
    ASSERT_GT(CountFiles(dir.path(), ".log"), 50u);
    EXPECT_LE(OpenFds(), before + 1);  // the active segment only

    // Reading every segment opens them on demand, never more than the cap.
    EXPECT_EQ(ReadAllAndCheck(*log, 0), 2000u);
    EXPECT_LE(OpenFds(), before + 1 + 8);
    EXPECT_EQ(FdCache::Instance().Size(), 8u);
    // Time lookups reach sealed segments too.
    auto at = log->OffsetForTime(1000 + 37);
    ASSERT_TRUE(at.ok());
    EXPECT_EQ(*at, 370u);
    // Reads from the middle of every segment, in an order that defeats the
    // cache, still work.
    for (uint64_t from = 5; from < 2000; from += 97) {
      auto r = log->Read(from, 3, 1 << 20);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      ASSERT_FALSE(r->records.empty());
      EXPECT_EQ(r->records.front().offset, from);
      EXPECT_EQ(r->records.front().data, testutil::DataFor(from));
    }
    EXPECT_LE(OpenFds(), before + 1 + 8);
  }
  EXPECT_EQ(OpenFds(), before);  // closing the log closes them all
  EXPECT_EQ(FdCache::Instance().Size(), 0u);

  // Recovery opens each segment once and keeps only the active one.
  auto log = std::move(ShardLog::Open(dir.path(), options, nullptr).value());
  EXPECT_LE(OpenFds(), before + 1);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 2000u);
  EXPECT_LE(OpenFds(), before + 1 + 8);
  AppendRecords(log.get(), 100, 10, 5000);
  testutil::SyncInline(log.get());
  EXPECT_EQ(ReadAllAndCheck(*log, 1900), 2100u);
}

TEST_P(SegmentFdTest, TrimmedSegmentsReleaseTheirDescriptors) {
  ScopedCapacity capacity(8);
  TempDir dir;
  const size_t before = OpenFds();
  auto log = std::move(ShardLog::Open(dir.path(), ManySegments(GetParam()), nullptr).value());
  AppendRecords(log.get(), 1000, 10, 1000, /*tick=*/true);
  testutil::SyncInline(log.get());
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 1000u);  // fills the cache with old segments
  auto start = log->TrimOlderThan(1000 + 90);
  ASSERT_TRUE(start.ok());
  EXPECT_GT(*start, 0u);
  // The newest segments were read last, so the cache held only those that
  // survive; the trimmed ones hold nothing.
  EXPECT_LE(OpenFds(), before + 1 + 8);
  EXPECT_EQ(ReadAllAndCheck(*log, *start), 1000u);
  auto all = log->TrimOlderThan(1 << 30);
  ASSERT_TRUE(all.ok());
  // Every record expired: only the new, empty active segment is left open.
  EXPECT_EQ(FdCache::Instance().Size(), 1u);
  EXPECT_EQ(OpenFds(), before + 1);
}

TEST_P(SegmentFdTest, ReadersRacingRollsTrimsAndEvictionsSeeWholeRecords) {
  ScopedCapacity capacity(1);  // every read of a sealed segment competes
  TempDir dir;
  Flusher flusher;
  flusher.Start();
  auto log = std::move(ShardLog::Open(dir.path(), ManySegments(GetParam()), &flusher).value());
  std::atomic<bool> stop{false};
  auto reader = [&] {
    while (!stop.load()) {
      uint64_t next = log->StartOffset();
      const uint64_t end = log->VisibleEndOffset();
      while (next < end) {
        auto r = log->Read(next, 7, 1 << 20);
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        if (r->records.empty()) break;
        for (const StoredRecord& rec : r->records) {
          ASSERT_EQ(rec.data, testutil::DataFor(rec.offset));
        }
        next = r->next_offset;
      }
    }
  };
  std::thread a(reader), b(reader);
  std::atomic<int> done{0};
  for (int i = 0; i < 300; ++i) {
    AppendRecords(log.get(), 10, 10, 1000 + i);
    log->WhenDurable(log->EndOffset(), [&](Status s) { done += s.ok(); });
    if (i % 50 == 49) {
      ASSERT_TRUE(log->TrimOlderThan(1000 + i - 20).ok());
    }
  }
  ASSERT_TRUE(testutil::WaitFor([&] { return done.load() >= 300; }));
  stop = true;
  a.join();
  b.join();
  EXPECT_EQ(ReadAllAndCheck(*log, log->StartOffset()), 3000u);
}

// More logs with data than the cache holds: each one's active segment is
// closed when evicted and reopened by its next append or read, and the
// process never holds more segment descriptors than the capacity, plus (in
// fsync mode) the one the flusher may be padding after answering a round.
TEST_P(SegmentFdTest, MoreShardsWithDataThanTheCapAreAllReadableAndAppendable) {
  constexpr size_t kCap = 16;
  constexpr int kLogs = 100;
  ScopedCapacity capacity(kCap);
  TempDir dir;
  const size_t before = OpenFds();
  Flusher flusher;
  flusher.Start();
  LogOptions options;
  options.durability = GetParam();
  std::vector<std::unique_ptr<ShardLog>> logs;
  size_t most = 0;
  auto append_all = [&](int round) {
    std::atomic<int> acked{0};
    for (int i = 0; i < kLogs; ++i) {
      AppendRecords(logs[i].get(), 10, 10, 1000 + round);
      logs[i]->WhenDurable(logs[i]->EndOffset(), [&](Status s) {
        EXPECT_TRUE(s.ok()) << s.ToString();
        ++acked;
      });
      if (GetParam() == Durability::kOs) most = std::max(most, OpenFds());
    }
    ASSERT_TRUE(testutil::WaitFor([&] { return acked.load() == kLogs; }));
    most = std::max(most, OpenFds());
  };
  for (int i = 0; i < kLogs; ++i) {
    logs.push_back(std::move(ShardLog::Open(dir.Join("shard-" + std::to_string(i)), options, &flusher).value()));
    most = std::max(most, OpenFds());
  }
  append_all(0);
  for (int i = 0; i < kLogs; ++i) EXPECT_EQ(ReadAllAndCheck(*logs[i], 0), 10u);
  most = std::max(most, OpenFds());
  append_all(1);
  for (int i = kLogs - 1; i >= 0; --i) EXPECT_EQ(ReadAllAndCheck(*logs[i], 0), 20u);
  most = std::max(most, OpenFds());
  const size_t in_flight = GetParam() == Durability::kFsync ? 1 : 0;
  EXPECT_LE(most, before + kCap + in_flight);
  EXPECT_EQ(FdCache::Instance().Size(), kCap);

  // Reopened, every log recovers and takes appends the same way.
  logs.clear();
  EXPECT_EQ(OpenFds(), before);
  for (int i = 0; i < kLogs; ++i) {
    logs.push_back(std::move(ShardLog::Open(dir.Join("shard-" + std::to_string(i)), options, &flusher).value()));
  }
  EXPECT_LE(OpenFds(), before + kCap);
  most = 0;
  append_all(2);
  for (int i = 0; i < kLogs; ++i) EXPECT_EQ(ReadAllAndCheck(*logs[i], 0), 30u);
  EXPECT_LE(std::max(most, OpenFds()), before + kCap + in_flight);
}

// An append that cannot reopen its evicted segment (here: no descriptor)
// fails with the file's name and errno, writes and acknowledges nothing, and
// the next append reopens it.
TEST_P(SegmentFdTest, AFailedReopenRefusesTheAppendAndALaterOneSucceeds) {
  ScopedCapacity capacity(1);
  TempDir dir;
  FaultInjectionEnv env;
  LogOptions options;
  options.durability = GetParam();
  options.env = &env;
  auto a = std::move(ShardLog::Open(dir.Join("a"), options, nullptr).value());
  auto b = std::move(ShardLog::Open(dir.Join("b"), options, nullptr).value());  // evicts a's segment
  AppendRecords(b.get(), 5, 5, 1000);
  testutil::SyncInline(b.get());
  env.FailNext(FaultOp::kCreate, EMFILE, "a/00000000000000000000.log");
  auto refused = testutil::AppendBatch(a.get(), 3);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kIoError);
  EXPECT_NE(refused.status().message().find("a/00000000000000000000.log"), std::string::npos)
      << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("Too many open files"), std::string::npos);
  EXPECT_EQ(a->EndOffset(), 0u);
  AppendRecords(a.get(), 4, 4, 1000);
  testutil::SyncInline(a.get());
  EXPECT_EQ(ReadAllAndCheck(*a, 0), 4u);
  EXPECT_EQ(ReadAllAndCheck(*b, 0), 5u);
}

TEST(FdCacheTest, TheDefaultCapacityIsHalfTheOpenFilesLimit) {
  EXPECT_EQ(FdCache::CapacityForLimit(20000), 10000u);
  EXPECT_EQ(FdCache::CapacityForLimit(1024), 512u);
  EXPECT_EQ(FdCache::CapacityForLimit(10), 64u);
}

INSTANTIATE_TEST_SUITE_P(Durability, SegmentFdTest, ::testing::Values(Durability::kFsync, Durability::kOs),
                         [](const auto& info) { return info.param == Durability::kFsync ? "Fsync" : "Os"; });

}  // namespace
}  // namespace sluice::storage
