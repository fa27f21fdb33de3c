// Recovery: what Open() makes of files left by a crash or damaged on disk.
// A "crash" is simulated by copying the log's directory while the log is
// still open (the copy holds what reached the OS, and no index written by
// Close()).
#include <gtest/gtest.h>

#include <filesystem>

#include "storage/log_format.h"
#include "storage/shard_log.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testutil::AppendRecords;
using testutil::FileSize;
using testutil::ReadAllAndCheck;
using testutil::SegmentPath;
using testutil::TempDir;

LogOptions Options() {
  LogOptions o;
  o.durability = Durability::kOs;
  o.segment_max_bytes = 16 << 10;
  o.index_interval_bytes = 1024;
  return o;
}

std::string CrashCopy(const std::string& from, const std::string& to) {
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
  return to;
}

// Appends ten batches of ten records to a fresh single-segment log and
// returns the file position where batch `mark` starts.
uint64_t TenBatches(ShardLog* log, int mark) {
  uint64_t position = 0;
  for (int b = 0; b < 10; ++b) {
    if (b == mark) position = log->SizeBytes();
    AppendRecords(log, 10, 10, 1000 + b);
  }
  return position;
}

TEST(RecoveryTest, TornTailIsTruncatedAndAppendsContinue) {
  TempDir dir;
  std::string crashed = dir.Join("crashed");
  uint64_t batch9;
  {
    auto log = std::move(ShardLog::Open(dir.Join("live"), Options(), nullptr).value());
    batch9 = TenBatches(log.get(), 9);
    CrashCopy(dir.Join("live"), crashed);
  }
  std::string segment = SegmentPath(crashed, 0);
  uint64_t full = FileSize(segment);
  testutil::TruncateFile(segment, full - 7);  // mid-way through the last batch

  auto log = std::move(ShardLog::Open(crashed, Options(), nullptr).value());
  EXPECT_EQ(log->EndOffset(), 90u);
  EXPECT_EQ(FileSize(segment), batch9);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 90u);
  AppendRecords(log.get(), 25, 5, 2000);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 115u);
}

TEST(RecoveryTest, TornHeaderIsTruncated) {
  TempDir dir;
  std::string crashed = dir.Join("crashed");
  uint64_t batch5;
  {
    auto log = std::move(ShardLog::Open(dir.Join("live"), Options(), nullptr).value());
    batch5 = TenBatches(log.get(), 5);
    CrashCopy(dir.Join("live"), crashed);
  }
  testutil::TruncateFile(SegmentPath(crashed, 0), batch5 + kBatchHeaderSize - 3);
  auto log = std::move(ShardLog::Open(crashed, Options(), nullptr).value());
  EXPECT_EQ(log->EndOffset(), 50u);
  EXPECT_EQ(FileSize(SegmentPath(crashed, 0)), batch5);
}

TEST(RecoveryTest, FlippedByteInTailBatchCutsFromThatBatch) {
  TempDir dir;
  std::string crashed = dir.Join("crashed");
  uint64_t batch7;
  {
    auto log = std::move(ShardLog::Open(dir.Join("live"), Options(), nullptr).value());
    batch7 = TenBatches(log.get(), 7);
    CrashCopy(dir.Join("live"), crashed);
  }
  testutil::FlipByte(SegmentPath(crashed, 0), batch7 + 60);  // inside a record
  auto log = std::move(ShardLog::Open(crashed, Options(), nullptr).value());
  EXPECT_EQ(log->EndOffset(), 70u);
  EXPECT_EQ(FileSize(SegmentPath(crashed, 0)), batch7);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 70u);
  AppendRecords(log.get(), 10, 10, 3000);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 80u);
}

TEST(RecoveryTest, TailAfterACleanReopenIsValidatedFromTheIndexCheckpoint) {
  TempDir dir;
  std::string live = dir.Join("live");
  std::string crashed = dir.Join("crashed");
  {
    auto log = std::move(ShardLog::Open(live, Options(), nullptr).value());
    AppendRecords(log.get(), 30, 10, 1000);
  }  // Close() saves the index: it covers the first 30 records
  uint64_t checkpoint = FileSize(SegmentPath(live, 0));
  {
    auto log = std::move(ShardLog::Open(live, Options(), nullptr).value());
    AppendRecords(log.get(), 30, 10, 1001);
    CrashCopy(live, crashed);
  }
  testutil::TruncateFile(SegmentPath(crashed, 0), FileSize(SegmentPath(crashed, 0)) - 1);
  auto log = std::move(ShardLog::Open(crashed, Options(), nullptr).value());
  EXPECT_EQ(log->EndOffset(), 50u);
  EXPECT_GT(FileSize(SegmentPath(crashed, 0)), checkpoint);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 50u);
}

TEST(RecoveryTest, LastSegmentTruncatedToNothingStartsAtItsBaseOffset) {
  TempDir dir;
  std::string crashed = dir.Join("crashed");
  uint64_t last_base;
  {
    auto log = std::move(ShardLog::Open(dir.Join("live"), Options(), nullptr).value());
    AppendRecords(log.get(), 1000, 10, 1000);
    CrashCopy(dir.Join("live"), crashed);
    last_base = 0;
    for (const auto& e : std::filesystem::directory_iterator(crashed)) {
      std::string name = e.path().filename().string();
      if (name.ends_with(".log")) last_base = std::max<uint64_t>(last_base, std::stoull(name));
    }
  }
  ASSERT_GT(last_base, 0u);
  testutil::TruncateFile(SegmentPath(crashed, last_base), 0);
  auto log = std::move(ShardLog::Open(crashed, Options(), nullptr).value());
  EXPECT_EQ(log->EndOffset(), last_base);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), last_base);
  AppendRecords(log.get(), 10, 10, 5000);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), last_base + 10);
}

TEST(RecoveryTest, CrashWithManySegmentsKeepsEveryWrittenRecord) {
  TempDir dir;
  std::string crashed = dir.Join("crashed");
  {
    auto log = std::move(ShardLog::Open(dir.Join("live"), Options(), nullptr).value());
    AppendRecords(log.get(), 3000, 10, 1000, /*tick=*/true);
    CrashCopy(dir.Join("live"), crashed);  // the last segment has no index yet
  }
  auto log = std::move(ShardLog::Open(crashed, Options(), nullptr).value());
  EXPECT_EQ(log->EndOffset(), 3000u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 3000u);
  EXPECT_EQ(*log->OffsetForTime(1000 + 250), 2500u);
  AppendRecords(log.get(), 10, 10, 9000);
  EXPECT_EQ(ReadAllAndCheck(*log, 2990), 3010u);
}

class OlderSegmentTest : public testing::Test {
 protected:
  void SetUp() override {
    auto log = std::move(ShardLog::Open(dir_.path(), Options(), nullptr).value());
    AppendRecords(log.get(), 2000, 10, 1000, /*tick=*/true);
    ASSERT_TRUE(log->Close().ok());
    ASSERT_TRUE(std::filesystem::exists(SegmentPath(dir_.path(), 0, ".index")));
  }
  TempDir dir_;
};

TEST_F(OlderSegmentTest, MissingIndexIsRebuilt) {
  std::string index = SegmentPath(dir_.path(), 0, ".index");
  std::filesystem::remove(index);
  auto log = std::move(ShardLog::Open(dir_.path(), Options(), nullptr).value());
  EXPECT_EQ(log->EndOffset(), 2000u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 2000u);
  EXPECT_EQ(*log->OffsetForTime(1000 + 37), 370u);
  ASSERT_TRUE(std::filesystem::exists(index));
  EXPECT_EQ((FileSize(index) - kIndexHeaderSize) % kIndexEntrySize, 0u);
}

TEST_F(OlderSegmentTest, GarbageIndexIsRebuilt) {
  std::string index = SegmentPath(dir_.path(), 0, ".timeindex");
  uint64_t good_size = FileSize(index);
  testutil::WriteGarbage(index, std::string(good_size, 'z'));
  auto log = std::move(ShardLog::Open(dir_.path(), Options(), nullptr).value());
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 2000u);
  EXPECT_EQ(*log->OffsetForTime(1000 + 12), 120u);
  EXPECT_EQ(FileSize(index), good_size);
}

TEST_F(OlderSegmentTest, IndexOfAnotherSizeIsRebuilt) {
  // An index describing fewer bytes than the segment holds is stale.
  std::string first = SegmentPath(dir_.path(), 0, ".index");
  std::string index = SegmentPath(dir_.path(), 0, ".index");
  uint64_t good_size = FileSize(index);
  testutil::TruncateFile(index, kIndexHeaderSize);
  auto log = std::move(ShardLog::Open(dir_.path(), Options(), nullptr).value());
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 2000u);
  EXPECT_EQ(FileSize(index), good_size);
}

TEST_F(OlderSegmentTest, FlippedByteGivesCorruptionOnReadOfThatBatchOnly) {
  std::string segment = SegmentPath(dir_.path(), 0);
  // Batches in segment 0 are at most a few hundred bytes; damage one near
  // the middle of the segment.
  testutil::FlipByte(segment, FileSize(segment) / 2);
  auto log = std::move(ShardLog::Open(dir_.path(), Options(), nullptr).value());
  EXPECT_EQ(log->EndOffset(), 2000u);  // older segments are not scanned

  // Reading from the start returns the sound records before the bad batch...
  auto first = log->Read(0, 10000, 64 << 20);
  ASSERT_TRUE(first.ok());
  uint64_t bad = first->next_offset;
  ASSERT_GT(bad, 0u);
  ASSERT_LT(bad, 2000u);
  for (size_t i = 0; i < first->records.size(); ++i) ASSERT_EQ(first->records[i].offset, i);
  // ...and then Corruption, for every offset in that batch.
  for (uint64_t off = bad; off < bad + 10; ++off) {
    auto r = log->Read(off, 10, 1 << 20);
    ASSERT_FALSE(r.ok()) << off;
    EXPECT_EQ(r.status().code(), ErrorCode::kCorruption);
  }
  // Records after the bad batch remain readable.
  EXPECT_EQ(ReadAllAndCheck(*log, bad + 10), 2000u);
}

TEST_F(OlderSegmentTest, FlippedByteWithMissingIndexStillFailsOnlyThatBatch) {
  std::string segment = SegmentPath(dir_.path(), 0);
  testutil::FlipByte(segment, FileSize(segment) / 2);
  std::filesystem::remove(SegmentPath(dir_.path(), 0, ".index"));
  auto log = std::move(ShardLog::Open(dir_.path(), Options(), nullptr).value());
  EXPECT_EQ(log->EndOffset(), 2000u);  // an older segment is never truncated
  auto first = log->Read(0, 10000, 64 << 20);
  ASSERT_TRUE(first.ok());
  uint64_t bad = first->next_offset;
  auto r = log->Read(bad, 10, 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kCorruption);
}

TEST(RecoveryTest, FilesThatAreNotSegmentsAreIgnored) {
  TempDir dir;
  {
    auto log = std::move(ShardLog::Open(dir.path(), Options(), nullptr).value());
    AppendRecords(log.get(), 50, 10, 1);
  }
  testutil::WriteGarbage(dir.Join("notes.txt"), "hello");
  testutil::WriteGarbage(dir.Join("123.log"), "short name");
  auto log = std::move(ShardLog::Open(dir.path(), Options(), nullptr).value());
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 50u);
}

}  // namespace
}  // namespace sluice::storage
