// Recovery: what Open() makes of files left by a crash or damaged on disk.
// A "crash" is simulated by copying the log's directory while the log is
// still open (the copy holds what reached the OS, and no index written by
// Close()).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "storage/log_format.h"
#include "storage/shard_log.h"
#include "storage/testing/fault_injection_env.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testutil::AppendRecords;
using testutil::CrashCopy;
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

// A clean Close() saves an index covering the whole last segment; damage to
// its last batch after that must still be found and cut at the next Open,
// not trusted (a read of the batch would fail, hiding the records before it).
void CheckDamagedLastBatchAfterCleanCloseIsCut(Durability durability) {
  TempDir dir;
  std::string live = dir.Join("live");
  LogOptions options = Options();
  options.durability = durability;
  uint64_t batch9;
  {
    auto log = std::move(ShardLog::Open(live, options, nullptr).value());
    batch9 = TenBatches(log.get(), 9);
    ASSERT_TRUE(log->Close().ok());
  }
  std::string segment = SegmentPath(live, 0);
  ASSERT_GE(FileSize(SegmentPath(live, 0, ".index")), kIndexHeaderSize);
  testutil::FlipByte(segment, FileSize(segment) - 5);  // inside the last record

  auto log = std::move(ShardLog::Open(live, options, nullptr).value());
  EXPECT_EQ(log->EndOffset(), 90u);
  if (durability != Durability::kFsync) {
    EXPECT_EQ(FileSize(segment), batch9);
  }
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 90u);
  AppendRecords(log.get(), 15, 5, 2000);
  testutil::SyncInline(log.get());
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 105u);
  ASSERT_TRUE(log->Close().ok());

  // The rebuilt index tail holds up across another clean reopen.
  auto reopened = std::move(ShardLog::Open(live, options, nullptr).value());
  EXPECT_EQ(reopened->EndOffset(), 105u);
  EXPECT_EQ(ReadAllAndCheck(*reopened, 0), 105u);
}

TEST(RecoveryTest, DamagedLastBatchAfterACleanCloseIsCut) {
  CheckDamagedLastBatchAfterCleanCloseIsCut(Durability::kOs);
}

TEST(RecoveryTest, DamagedLastBatchAfterACleanCloseIsCutInFsyncMode) {
  CheckDamagedLastBatchAfterCleanCloseIsCut(Durability::kFsync);
}

TEST(RecoveryTest, DamagedFirstBatchOfALongCleanSegmentIsStillTrusted) {
  // Only the tail from the last index checkpoint is validated: a bad batch
  // early in the segment is reported by reads, not cut with what follows.
  TempDir dir;
  std::string live = dir.Join("live");
  {
    auto log = std::move(ShardLog::Open(live, Options(), nullptr).value());
    TenBatches(log.get(), 0);
  }
  testutil::FlipByte(SegmentPath(live, 0), 60);
  auto log = std::move(ShardLog::Open(live, Options(), nullptr).value());
  EXPECT_EQ(log->EndOffset(), 100u);
  EXPECT_EQ(log->Read(0, 10, 1 << 20).status().code(), ErrorCode::kCorruption);
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

// ---- Zero padding (docs/log-format.md, "Zero padding") ----
// In fsync mode the bytes after the last batch are zeros; a crash leaves
// them there. The tests below add padding by hand to a kOs log's crash copy,
// so they control exactly which bytes reach the file.

// Opens `dir` and returns what recovery wrote to stderr.
std::string OpenCapturingLog(const std::string& dir, const LogOptions& options, std::unique_ptr<ShardLog>* log) {
  testing::internal::CaptureStderr();
  auto opened = ShardLog::Open(dir, options, nullptr);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(opened.ok()) << opened.status().ToString();
  if (opened.ok()) *log = std::move(opened).value();
  return err;
}

class PaddedTailTest : public testing::Test {
 protected:
  // Ten batches of ten records, crash-copied; `batch_` is where batch
  // `mark` starts and `full_` the data size.
  void CrashWithTenBatches(int mark) {
    auto log = std::move(ShardLog::Open(dir_.Join("live"), Options(), nullptr).value());
    batch_ = TenBatches(log.get(), mark);
    full_ = log->SizeBytes();
    CrashCopy(dir_.Join("live"), crashed_);
  }
  void Pad(uint64_t bytes) { testutil::WriteZeros(segment_, full_, bytes); }

  TempDir dir_;
  std::string crashed_ = dir_.Join("crashed");
  std::string segment_ = SegmentPath(crashed_, 0);
  uint64_t batch_ = 0;
  uint64_t full_ = 0;
};

TEST_F(PaddedTailTest, ZeroPaddingAfterTheLastBatchIsTheEndWithoutAWarning) {
  CrashWithTenBatches(0);
  Pad(1 << 20);
  std::unique_ptr<ShardLog> log;
  std::string err = OpenCapturingLog(crashed_, Options(), &log);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(err.find("WARN"), std::string::npos) << err;
  EXPECT_EQ(log->EndOffset(), 100u);
  EXPECT_EQ(log->SizeBytes(), full_);
  EXPECT_EQ(FileSize(segment_), full_);  // the padding is gone, no data with it
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 100u);
}

// Recovery reads only 64 KiB after the data for its warning, not the whole
// padding; whatever lies beyond is cut all the same.
TEST_F(PaddedTailTest, BytesFarBeyondTheDataAreCutUnreadAndUnreported) {
  CrashWithTenBatches(0);
  Pad(1 << 20);
  std::string stale(4096, 'S');
  {
    std::FILE* f = std::fopen(segment_.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fseek(f, static_cast<long>(full_ + (512 << 10)), SEEK_SET), 0);
    ASSERT_EQ(std::fwrite(stale.data(), 1, stale.size(), f), stale.size());
    std::fclose(f);
  }
  std::unique_ptr<ShardLog> log;
  std::string err = OpenCapturingLog(crashed_, Options(), &log);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(err.find("WARN"), std::string::npos) << err;
  EXPECT_EQ(FileSize(segment_), full_);
  EXPECT_EQ(log->EndOffset(), 100u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 100u);
}

TEST_F(PaddedTailTest, PaddingShorterThanAHeaderIsTheEndToo) {
  CrashWithTenBatches(0);
  Pad(kBatchHeaderSize - 1);
  std::unique_ptr<ShardLog> log;
  std::string err = OpenCapturingLog(crashed_, Options(), &log);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(err.find("WARN"), std::string::npos) << err;
  EXPECT_EQ(log->EndOffset(), 100u);
}

TEST_F(PaddedTailTest, TornBatchFollowedByPaddingIsCutWithAWarning) {
  CrashWithTenBatches(9);
  // The last seven bytes of the last batch never reached the disk.
  testutil::WriteZeros(segment_, full_ - 7, 7);
  Pad(1 << 20);
  std::unique_ptr<ShardLog> log;
  std::string err = OpenCapturingLog(crashed_, Options(), &log);
  ASSERT_NE(log, nullptr);
  EXPECT_NE(err.find("WARN"), std::string::npos);
  // Only the real bytes of the torn batch count as cut, not the padding.
  EXPECT_NE(err.find("at position " + std::to_string(batch_) + ": truncating, cutting " +
                     std::to_string(full_ - 7 - batch_) + " bytes"),
            std::string::npos)
      << err;
  EXPECT_EQ(log->EndOffset(), 90u);
  EXPECT_EQ(log->SizeBytes(), batch_);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 90u);
}

TEST_F(PaddedTailTest, FlippedByteInTheLastBatchBeforePaddingIsCut) {
  CrashWithTenBatches(9);
  testutil::FlipByte(segment_, batch_ + 60);
  Pad(1 << 20);
  std::unique_ptr<ShardLog> log;
  std::string err = OpenCapturingLog(crashed_, Options(), &log);
  ASSERT_NE(log, nullptr);
  EXPECT_NE(err.find("corrupt batch"), std::string::npos) << err;
  EXPECT_NE(err.find("cutting " + std::to_string(full_ - batch_) + " bytes"), std::string::npos) << err;
  EXPECT_EQ(log->EndOffset(), 90u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 90u);
}

TEST_F(PaddedTailTest, DataAfterZerosIsCutWithAWarning) {
  // Batch 8 never reached the disk but batch 9 did: the zeros where batch 8
  // should be end the data, and batch 9 is cut, loudly.
  CrashWithTenBatches(8);
  uint64_t batch8_length = (full_ - batch_) / 2;  // batches 8 and 9 are the same size
  testutil::WriteZeros(segment_, batch_, batch8_length);
  Pad(4096);
  std::unique_ptr<ShardLog> log;
  std::string err = OpenCapturingLog(crashed_, Options(), &log);
  ASSERT_NE(log, nullptr);
  EXPECT_NE(err.find("data after zero padding"), std::string::npos) << err;
  EXPECT_NE(err.find("cutting " + std::to_string(full_ - batch_) + " bytes"), std::string::npos) << err;
  EXPECT_EQ(log->EndOffset(), 80u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 80u);
}

TEST_F(PaddedTailTest, AppendsAfterRecoveryContinueAtTheLogicalEnd) {
  CrashWithTenBatches(9);
  Pad(1 << 20);
  {
    auto log = std::move(ShardLog::Open(crashed_, Options(), nullptr).value());
    AppendRecords(log.get(), 25, 5, 2000);
    EXPECT_EQ(log->SizeBytes(), FileSize(segment_));
    EXPECT_EQ(ReadAllAndCheck(*log, 0), 125u);
  }
  auto log = std::move(ShardLog::Open(crashed_, Options(), nullptr).value());
  EXPECT_EQ(log->EndOffset(), 125u);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 125u);
}

TEST(RecoveryTest, FsyncLogCrashedWithPaddingReopensAndAppendsAtItsEnd) {
  TempDir dir;
  std::string crashed = dir.Join("crashed");
  LogOptions o = Options();
  o.durability = Durability::kFsync;
  o.segment_max_bytes = 4 << 20;
  uint64_t size;
  {
    auto log = std::move(ShardLog::Open(dir.Join("live"), o, nullptr).value());
    AppendRecords(log.get(), 100, 10, 1000);
    // A sync of a segment with data pads it ahead (no flusher: inline).
    Status synced = Status::Internal("not called");
    log->WhenDurable(log->EndOffset(), [&](Status s) { synced = s; });
    ASSERT_TRUE(synced.ok()) << synced.ToString();
    size = log->SizeBytes();
    ASSERT_GT(FileSize(SegmentPath(dir.Join("live"), 0)), size);  // padded
    CrashCopy(dir.Join("live"), crashed);
  }
  std::string segment = SegmentPath(crashed, 0);
  std::unique_ptr<ShardLog> log;
  std::string err = OpenCapturingLog(crashed, o, &log);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(err.find("WARN"), std::string::npos) << err;
  EXPECT_EQ(log->EndOffset(), 100u);
  EXPECT_EQ(log->SizeBytes(), size);
  EXPECT_EQ(FileSize(segment), size);  // cut, and not padded again while idle
  AppendRecords(log.get(), 50, 10, 2000);
  EXPECT_GT(log->SizeBytes(), size);
  testutil::SyncInline(log.get());
  EXPECT_GT(FileSize(segment), log->SizeBytes());  // written to: padded ahead again
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 150u);
  // A second crash: the appends overwrote the padding from the logical end.
  std::string again = CrashCopy(crashed, dir.Join("again"));
  log.reset();
  auto reopened = std::move(ShardLog::Open(again, o, nullptr).value());
  EXPECT_EQ(reopened->EndOffset(), 150u);
  EXPECT_EQ(ReadAllAndCheck(*reopened, 0), 150u);
}

// A start after a crash costs no fdatasync for a shard that was being
// written: cutting its zero padding needs none (a crash before the next sync
// leaves the same zeros for the next recovery).
TEST(RecoveryTest, CuttingZeroPaddingAtStartIssuesNoSync) {
  TempDir dir;
  LogOptions o = Options();
  o.durability = Durability::kFsync;
  std::string crashed = dir.Join("crashed");
  {
    auto log = std::move(ShardLog::Open(dir.Join("live"), o, nullptr).value());
    AppendRecords(log.get(), 100, 10, 1000);
    testutil::SyncInline(log.get());  // pads inline
    ASSERT_GT(FileSize(SegmentPath(dir.Join("live"), 0)), log->SizeBytes());
    CrashCopy(dir.Join("live"), crashed);
  }
  FaultInjectionEnv env;
  env.PowerOffAt(FaultOp::kSync);  // any sync would fail the open
  o.env = &env;
  auto log = ShardLog::Open(crashed, o, nullptr);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(env.FailuresInjected(), 0u);
  EXPECT_EQ(FileSize(SegmentPath(crashed, 0)), (*log)->SizeBytes());
  EXPECT_EQ(ReadAllAndCheck(**log, 0), 100u);
  env.SetPowerOn(true);
}

TEST(RecoveryTest, RolledFsyncSegmentsKeepExactSizesAndTrustedIndexes) {
  TempDir dir;
  LogOptions o = Options();
  o.durability = Durability::kFsync;
  o.segment_max_bytes = 64 << 10;
  uint64_t size;
  {
    auto log = std::move(ShardLog::Open(dir.path(), o, nullptr).value());
    AppendRecords(log.get(), 3000, 10, 1000, /*tick=*/true);
    size = log->SizeBytes();
  }
  uint64_t on_disk = 0;
  size_t segments = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    if (e.path().extension() != ".log") continue;
    ++segments;
    on_disk += FileSize(e.path().string());
    EXPECT_LE(FileSize(e.path().string()), o.segment_max_bytes);
  }
  ASSERT_GT(segments, 3u);
  EXPECT_EQ(on_disk, size);  // rolled and closed segments carry no padding
  std::unique_ptr<ShardLog> log;
  std::string err = OpenCapturingLog(dir.path(), o, &log);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(err.find("rebuilding"), std::string::npos) << err;  // every index matched
  EXPECT_EQ(log->SizeBytes(), size);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 3000u);
}

TEST(RecoveryTest, PaddingLeftInAnOlderSegmentIsCutQuietly) {
  // A crash can lose the cut a roll made (os mode does not sync it).
  TempDir dir;
  {
    auto log = std::move(ShardLog::Open(dir.path(), Options(), nullptr).value());
    AppendRecords(log.get(), 2000, 10, 1000, /*tick=*/true);
  }
  std::string first = SegmentPath(dir.path(), 0);
  uint64_t size = FileSize(first);
  testutil::WriteZeros(first, size, 8192);
  std::unique_ptr<ShardLog> log;
  std::string err = OpenCapturingLog(dir.path(), Options(), &log);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(err.find("WARN"), std::string::npos) << err;
  EXPECT_EQ(FileSize(first), size);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 2000u);
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
