// ShardLog under failing I/O: a roll that cannot create its next segment (no
// free descriptors), a write cut short (file size limit), and segments that
// are missing or hold other offsets than their names say. The limits are the
// kernel's own (setrlimit), restored by each test.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <vector>

#include "storage/shard_log.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testutil::AppendRecords;
using testutil::FileSize;
using testutil::ReadAllAndCheck;
using testutil::SegmentPath;
using testutil::TempDir;

LogOptions SmallSegments(Durability d) {
  LogOptions o;
  o.durability = d;
  o.segment_max_bytes = 16 << 10;
  o.index_interval_bytes = 1024;
  return o;
}

// Takes every free descriptor below a lowered RLIMIT_NOFILE, so that the
// next open() fails with EMFILE; gives them back and restores the limit on
// destruction.
class DescriptorExhaustion {
 public:
  DescriptorExhaustion() {
    EXPECT_EQ(::getrlimit(RLIMIT_NOFILE, &saved_), 0);
    // Low enough to fill quickly, above what the test process already holds.
    int highest = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
      highest = std::max(highest, std::stoi(e.path().filename().string()));
    }
    struct rlimit low = saved_;
    low.rlim_cur = static_cast<rlim_t>(highest + 16);
    EXPECT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
    while (true) {
      int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0) break;
      held_.push_back(fd);
    }
    EXPECT_EQ(errno, EMFILE);
  }
  ~DescriptorExhaustion() {
    for (int fd : held_) ::close(fd);
    EXPECT_EQ(::setrlimit(RLIMIT_NOFILE, &saved_), 0);
  }
  // Gives back `n` descriptors (the next opens succeed).
  void Free(size_t n) {
    for (; n > 0 && !held_.empty(); --n) {
      ::close(held_.back());
      held_.pop_back();
    }
  }

 private:
  struct rlimit saved_;
  std::vector<int> held_;
};

// Appends 100-byte records until the active segment is within 2 KiB of the
// roll; returns the log's end offset.
uint64_t FillToJustBelowARoll(ShardLog* log) {
  while (log->SizeBytes() + 2048 < (16 << 10) - 1024) AppendRecords(log, 4, 4, 1000);
  return log->EndOffset();
}

class FailedRollTest : public testing::TestWithParam<Durability> {};

TEST_P(FailedRollTest, AppendsAfterAFailedRollGoToTheLogAndSurviveAReopen) {
  TempDir dir;
  const std::string other = dir.Join("other-file");
  uint64_t filled = 0;
  {
    auto log = std::move(ShardLog::Open(dir.Join("log"), SmallSegments(GetParam()), nullptr).value());
    filled = FillToJustBelowARoll(log.get());
    {
      DescriptorExhaustion exhaustion;
      // 40 records (~5 KiB) need a roll, which cannot create its segment.
      std::vector<std::string> keys(40, "k"), datas(40, std::string(100, 'x'));
      std::vector<AppendEntry> big;
      for (size_t i = 0; i < keys.size(); ++i) big.push_back({keys[i], datas[i]});
      auto failed = log->Append(big, 1000);
      ASSERT_FALSE(failed.ok());
      EXPECT_EQ(failed.status().code(), ErrorCode::kIoError);
      EXPECT_NE(failed.status().message().find("Too many open files"), std::string::npos) << failed.status().ToString();
      EXPECT_EQ(log->EndOffset(), filled);

      // Another file takes the lowest free descriptor number, as another
      // shard's new segment would; then a batch that fits is appended.
      exhaustion.Free(1);
      int other_fd = ::open(other.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      ASSERT_GE(other_fd, 0);
      AppendRecords(log.get(), 5, 5, 1000);
      testutil::SyncInline(log.get());
      ::close(other_fd);
      EXPECT_EQ(FileSize(other), 0u) << "an append wrote into another file";
    }
    // Descriptors are back: the next append that needs a roll makes it.
    AppendRecords(log.get(), 40, 40, 1000);
    testutil::SyncInline(log.get());
    EXPECT_TRUE(std::filesystem::exists(SegmentPath(dir.Join("log"), filled + 5)));
    EXPECT_EQ(ReadAllAndCheck(*log, 0), filled + 45);
  }
  auto reopened = ShardLog::Open(dir.Join("log"), SmallSegments(GetParam()), nullptr);
  ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
  EXPECT_EQ((*reopened)->EndOffset(), filled + 45);
  EXPECT_EQ(ReadAllAndCheck(**reopened, 0), filled + 45);
}

INSTANTIATE_TEST_SUITE_P(Modes, FailedRollTest, testing::Values(Durability::kFsync, Durability::kOs),
                         [](const auto& info) { return info.param == Durability::kFsync ? "Fsync" : "Os"; });

TEST(ShardLogFailureTest, AWriteCutShortIsUndoneAndALaterAppendSucceeds) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(Durability::kOs), nullptr).value());
  AppendRecords(log.get(), 20, 10, 1000);
  const std::string segment = SegmentPath(dir.path(), 0);
  const uint64_t size = FileSize(segment);

  // The file may grow by 100 bytes only: the next batch's write stops
  // part-way (then EFBIG).
  struct sigaction ignore = {}, saved_action;
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGXFSZ, &ignore, &saved_action), 0);
  struct rlimit saved, low;
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &saved), 0);
  low = saved;
  low.rlim_cur = static_cast<rlim_t>(size + 100);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &low), 0);
  std::vector<std::string> datas(10, std::string(100, 'x'));
  std::vector<AppendEntry> batch;
  for (const auto& d : datas) batch.push_back({"k", d});
  auto failed = log->Append(batch, 1000);
  const uint64_t size_after_failure = FileSize(segment);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  ASSERT_EQ(::sigaction(SIGXFSZ, &saved_action, nullptr), 0);

  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find(segment), std::string::npos) << failed.status().ToString();
  EXPECT_EQ(size_after_failure, size);  // no partial batch left behind
  EXPECT_EQ(log->EndOffset(), 20u);
  AppendRecords(log.get(), 10, 10, 1000);
  ASSERT_TRUE(log->Close().ok());
  auto reopened = std::move(ShardLog::Open(dir.path(), SmallSegments(Durability::kOs), nullptr).value());
  EXPECT_EQ(ReadAllAndCheck(*reopened, 0), 30u);
}

// Segments of identical batches (so equally long), closed cleanly; returns
// the base of the second of at least three.
uint64_t ThreeSegments(const std::string& dir) {
  auto log = std::move(ShardLog::Open(dir, SmallSegments(Durability::kOs), nullptr).value());
  std::vector<std::string> datas(10, std::string(100, 'x'));
  std::vector<AppendEntry> batch;
  for (const auto& d : datas) batch.push_back({"k", d});
  for (int i = 0; i < 60; ++i) EXPECT_TRUE(log->Append(batch, 1000).ok());
  EXPECT_TRUE(log->Close().ok());
  std::vector<uint64_t> bases;
  for (uint64_t base = 0; base < 600; ++base) {
    if (std::filesystem::exists(SegmentPath(dir, base))) bases.push_back(base);
  }
  EXPECT_GE(bases.size(), 3u);
  if (bases.size() < 3) return 0;
  EXPECT_EQ(FileSize(SegmentPath(dir, 0)), FileSize(SegmentPath(dir, bases[1])));
  return bases[1];
}

TEST(ShardLogFailureTest, ASegmentReplacedWhileOpenGivesCorruptionNotASkip) {
  TempDir dir;
  const uint64_t second = ThreeSegments(dir.path());
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(Durability::kOs), nullptr).value());
  // Segment 0 copied over the second one (a new file: not yet read, so not
  // held open).
  std::filesystem::copy_file(SegmentPath(dir.path(), 0), dir.Join("copy"));
  std::filesystem::rename(dir.Join("copy"), SegmentPath(dir.path(), second));

  uint64_t next = 0;
  Status status;
  while (next < log->EndOffset()) {
    auto r = log->Read(next, 1000, 1 << 20);
    if (!r.ok()) {
      status = r.status();
      break;
    }
    ASSERT_FALSE(r->records.empty());
    for (const StoredRecord& rec : r->records) ASSERT_EQ(rec.offset, next++);
  }
  EXPECT_EQ(next, second);  // every record before the replaced segment, none after
  EXPECT_EQ(status.code(), ErrorCode::kCorruption) << status.ToString();
}

TEST(ShardLogFailureTest, ASegmentReplacedWhileClosedIsRefusedAtOpen) {
  TempDir dir;
  const uint64_t second = ThreeSegments(dir.path());
  std::filesystem::copy_file(SegmentPath(dir.path(), 0), SegmentPath(dir.path(), second),
                             std::filesystem::copy_options::overwrite_existing);
  auto log = ShardLog::Open(dir.path(), SmallSegments(Durability::kOs), nullptr);
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.status().code(), ErrorCode::kCorruption);
}

TEST(ShardLogFailureTest, AMissingMiddleSegmentGivesCorruptionOnReadNotASkip) {
  TempDir dir;
  const uint64_t second = ThreeSegments(dir.path());
  for (const char* suffix : {".log", ".index", ".timeindex"}) {
    std::filesystem::remove(SegmentPath(dir.path(), second, suffix));
  }
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(Durability::kOs), nullptr).value());
  auto before = log->Read(0, 100000, 64 << 20);
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  EXPECT_EQ(before->next_offset, second);
  auto at_the_hole = log->Read(second, 1000, 1 << 20);
  ASSERT_FALSE(at_the_hole.ok());
  EXPECT_EQ(at_the_hole.status().code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace sluice::storage
