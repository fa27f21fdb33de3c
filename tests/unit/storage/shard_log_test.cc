#include "storage/shard_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "storage_test_util.h"
#include "util/clock.h"

namespace sluice::storage {
namespace {

using testutil::AppendRecords;
using testutil::DataFor;
using testutil::KeyFor;
using testutil::ReadAllAndCheck;
using testutil::TempDir;

LogOptions SmallSegments(Durability d = Durability::kOs) {
  LogOptions o;
  o.durability = d;
  o.segment_max_bytes = 16 << 10;
  o.index_interval_bytes = 1024;
  return o;
}

size_t CountFiles(const std::string& dir, const std::string& suffix) {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.size() > suffix.size() && name.ends_with(suffix)) ++n;
  }
  return n;
}

TEST(ShardLogTest, EmptyLogHasNoRecords) {
  TempDir dir;
  auto log = ShardLog::Open(dir.path(), SmallSegments(), nullptr);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ((*log)->StartOffset(), 0u);
  EXPECT_EQ((*log)->EndOffset(), 0u);
  EXPECT_EQ((*log)->LastArrivalMillis(), 0);
  auto r = (*log)->Read(0, 10, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->records.empty());
  EXPECT_EQ(r->next_offset, 0u);
}

TEST(ShardLogTest, AppendReadRoundTripAcrossSegmentRolls) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(), nullptr).value());
  AppendRecords(log.get(), 2000, 7, 1000);
  EXPECT_EQ(log->EndOffset(), 2000u);
  EXPECT_GT(CountFiles(dir.path(), ".log"), 5u);  // it really rolled
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 2000u);
  EXPECT_EQ(log->LastArrivalMillis(), 1000);
}

TEST(ShardLogTest, OffsetsAreDenseAcrossAppends) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(), nullptr).value());
  std::vector<AppendEntry> three = {{"a", "1"}, {"b", "2"}, {"c", "3"}};
  EXPECT_EQ(*log->Append(three, 1), 0u);
  EXPECT_EQ(*log->Append(std::span(three).first(1), 1), 3u);
  EXPECT_EQ(*log->Append(three, 1), 4u);
  EXPECT_EQ(log->EndOffset(), 7u);
  auto r = log->Read(0, 100, 1 << 20);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 7u);
  for (size_t i = 0; i < 7; ++i) EXPECT_EQ(r->records[i].offset, i);
}

TEST(ShardLogTest, ReadHonoursMaxRecords) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(), nullptr).value());
  AppendRecords(log.get(), 100, 10, 5);
  auto r = log->Read(0, 25, 1 << 20);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 25u);
  EXPECT_EQ(r->next_offset, 25u);
}

TEST(ShardLogTest, ReadHonoursMaxBytesButReturnsAtLeastOneRecord) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(), nullptr).value());
  AppendRecords(log.get(), 100, 10, 5);
  // key "key-N" (5 bytes for N < 10) + 100 data bytes = 105 per record.
  auto r = log->Read(0, 100, 3 * 105 + 50);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->records.size(), 3u);
  auto one = log->Read(0, 100, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->records.size(), 1u);
  EXPECT_EQ(one->next_offset, 1u);
}

TEST(ShardLogTest, ReadFromTheMiddleOfABatch) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(), nullptr).value());
  AppendRecords(log.get(), 1000, 50, 5);
  auto r = log->Read(537, 10, 1 << 20);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 10u);
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(r->records[i].offset, 537 + i);
    EXPECT_EQ(r->records[i].partition_key, KeyFor(537 + i));
    EXPECT_EQ(r->records[i].data, DataFor(537 + i));
  }
  EXPECT_EQ(r->next_offset, 547u);
}

TEST(ShardLogTest, MovedReadResultKeepsValidViews) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(), nullptr).value());
  std::vector<AppendEntry> one = {{"k", "v"}};
  ASSERT_TRUE(log->Append(one, 1).ok());
  ReadResult moved;
  {
    auto r = log->Read(0, 10, 1 << 20);
    ASSERT_TRUE(r.ok());
    moved = std::move(r).value();
  }
  ASSERT_EQ(moved.records.size(), 1u);
  EXPECT_EQ(moved.records[0].partition_key, "k");
  EXPECT_EQ(moved.records[0].data, "v");
  EXPECT_GE(moved.records[0].data.data(), moved.buffer.data());
  EXPECT_LT(moved.records[0].data.data(), moved.buffer.data() + moved.buffer.size());
}

TEST(ShardLogTest, ReadAtOrPastTheEndReturnsNothing) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(), nullptr).value());
  AppendRecords(log.get(), 10, 10, 5);
  auto r = log->Read(10, 10, 1 << 20);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->records.empty());
  EXPECT_EQ(r->next_offset, 10u);
}

TEST(ShardLogTest, LargeReadSpansSegmentsInOneCall) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(), nullptr).value());
  AppendRecords(log.get(), 3000, 25, 5);
  auto r = log->Read(100, 2500, 64 << 20);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->records.size(), 2500u);
  for (size_t i = 0; i < r->records.size(); ++i) {
    ASSERT_EQ(r->records[i].offset, 100 + i);
    ASSERT_EQ(r->records[i].data, DataFor(100 + i));
  }
}

TEST(ShardLogTest, OffsetForTimeFindsTheFirstRecordAtOrAfterTheTime) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(), nullptr).value());
  // Batch i (10 records, offsets 10i..10i+9) arrives at 1000 + 10*i.
  for (int i = 0; i < 200; ++i) AppendRecords(log.get(), 10, 10, 1000 + 10 * i);
  EXPECT_EQ(*log->OffsetForTime(0), 0u);
  EXPECT_EQ(*log->OffsetForTime(1000), 0u);
  EXPECT_EQ(*log->OffsetForTime(1001), 10u);
  EXPECT_EQ(*log->OffsetForTime(1010), 10u);
  EXPECT_EQ(*log->OffsetForTime(1000 + 10 * 123), 1230u);
  EXPECT_EQ(*log->OffsetForTime(1000 + 10 * 123 - 3), 1230u);
  EXPECT_EQ(*log->OffsetForTime(1000 + 10 * 199), 1990u);
  EXPECT_EQ(*log->OffsetForTime(1000 + 10 * 199 + 1), 2000u);  // after all: EndOffset
}

TEST(ShardLogTest, TrimOlderThanRemovesWholeOldSegmentsOnly) {
  TempDir dir;
  LogOptions o = SmallSegments();
  auto log = std::move(ShardLog::Open(dir.path(), o, nullptr).value());
  for (int i = 0; i < 100; ++i) AppendRecords(log.get(), 20, 20, 1000 + i);
  size_t segments = CountFiles(dir.path(), ".log");
  ASSERT_GT(segments, 3u);
  uint64_t size_before = log->SizeBytes();

  auto start = log->TrimOlderThan(1050);
  ASSERT_TRUE(start.ok());
  EXPECT_GT(*start, 0u);
  EXPECT_EQ(*start, log->StartOffset());
  EXPECT_LT(CountFiles(dir.path(), ".log"), segments);
  EXPECT_LT(log->SizeBytes(), size_before);
  // Whole segments: the record just before the new start arrived before the
  // cut, and nothing at or after 1050 was removed.
  EXPECT_LE(*start, 50u * 20);
  // Reads below the start are clamped up to it.
  auto r = log->Read(0, 5, 1 << 20);
  ASSERT_TRUE(r.ok());
  ASSERT_FALSE(r->records.empty());
  EXPECT_EQ(r->records.front().offset, *start);
  EXPECT_EQ(ReadAllAndCheck(*log, *start), 2000u);

  // A cut after every record takes the active segment too: a new, empty one
  // continues the offsets.
  auto all = log->TrimOlderThan(1 << 30);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, 2000u);
  EXPECT_EQ(log->EndOffset(), 2000u);
  EXPECT_EQ(log->SizeBytes(), 0u);
  EXPECT_EQ(CountFiles(dir.path(), ".log"), 1u);
  auto none = log->Read(0, 5, 1 << 20);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->records.empty());
  AppendRecords(log.get(), 5, 20, 2000);
  EXPECT_EQ(ReadAllAndCheck(*log, 2000), 2005u);
}

TEST(ShardLogTest, AnIdleLogWhoseRecordsAllExpiredFreesItsActiveSegmentAndReopensEmpty) {
  TempDir dir;
  LogOptions o;
  o.durability = Durability::kFsync;
  {
    auto log = std::move(ShardLog::Open(dir.path(), o, nullptr).value());
    AppendRecords(log.get(), 50, 100, 1000);
    testutil::SyncInline(log.get());
    auto kept = log->TrimOlderThan(1000);  // nothing expired yet
    ASSERT_TRUE(kept.ok());
    EXPECT_EQ(*kept, 0u);
    auto start = log->TrimOlderThan(1001);
    ASSERT_TRUE(start.ok());
    EXPECT_EQ(*start, 50u);
    EXPECT_FALSE(std::filesystem::exists(dir.Join("00000000000000000000.log")));
    EXPECT_EQ(testutil::FileSize(dir.Join("00000000000000000050.log")), 0u);
  }
  auto log = std::move(ShardLog::Open(dir.path(), o, nullptr).value());
  EXPECT_EQ(log->StartOffset(), 50u);
  EXPECT_EQ(log->EndOffset(), 50u);
  AppendRecords(log.get(), 3, 10, 2000);
  testutil::SyncInline(log.get());
  EXPECT_EQ(ReadAllAndCheck(*log, 50), 53u);
}

TEST(ShardLogTest, SegmentRollsByAge) {
  TempDir dir;
  LogOptions o;
  o.durability = Durability::kOs;
  o.segment_max_age_ms = 1000;
  auto log = std::move(ShardLog::Open(dir.path(), o, nullptr).value());
  AppendRecords(log.get(), 10, 10, 5000);
  AppendRecords(log.get(), 10, 10, 5999);
  EXPECT_EQ(CountFiles(dir.path(), ".log"), 1u);
  AppendRecords(log.get(), 10, 10, 6000);
  EXPECT_EQ(CountFiles(dir.path(), ".log"), 2u);
  EXPECT_TRUE(std::filesystem::exists(testutil::SegmentPath(dir.path(), 20)));
}

TEST(ShardLogTest, ReopenAfterCloseGivesIdenticalData) {
  TempDir dir;
  uint64_t size;
  {
    auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(), nullptr).value());
    AppendRecords(log.get(), 1500, 13, 777, /*tick=*/true);
    size = log->SizeBytes();
    ASSERT_TRUE(log->Close().ok());
    EXPECT_FALSE(log->Append(std::vector<AppendEntry>{{"k", "v"}}, 1).ok());
  }
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(), nullptr).value());
  EXPECT_EQ(log->EndOffset(), 1500u);
  EXPECT_EQ(log->SizeBytes(), size);
  EXPECT_EQ(log->LastArrivalMillis(), 777 + (1500 + 12) / 13 - 1);
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 1500u);
  AppendRecords(log.get(), 10, 10, 5000);
  EXPECT_EQ(ReadAllAndCheck(*log, 1490), 1510u);
}

TEST(ShardLogTest, MemoryModeWorksWithoutTouchingDisk) {
  TempDir dir;
  std::string path = dir.Join("never-created");
  LogOptions o = SmallSegments(Durability::kMemory);
  auto log = std::move(ShardLog::Open(path, o, nullptr).value());
  for (int i = 0; i < 50; ++i) AppendRecords(log.get(), 40, 40, 100 + i);
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(ReadAllAndCheck(*log, 0), 2000u);
  EXPECT_EQ(*log->OffsetForTime(120), 800u);
  auto start = log->TrimOlderThan(125);
  ASSERT_TRUE(start.ok());
  EXPECT_GT(*start, 0u);
  EXPECT_EQ(ReadAllAndCheck(*log, *start), 2000u);
  bool called = false;
  log->WhenDurable(log->EndOffset(), [&](Status s) { called = s.ok(); });
  EXPECT_TRUE(called);
  EXPECT_TRUE(log->Destroy().ok());
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ShardLogTest, DestroyRemovesTheDirectory) {
  TempDir dir;
  std::string path = dir.Join("shard");
  auto log = std::move(ShardLog::Open(path, SmallSegments(), nullptr).value());
  AppendRecords(log.get(), 100, 10, 1);
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_TRUE(log->Destroy().ok());
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ShardLogTest, ConcurrentReadersSeeOnlyWholeBatches) {
  TempDir dir;
  auto log = std::move(ShardLog::Open(dir.path(), SmallSegments(), nullptr).value());
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> checked{0};
  std::thread reader([&] {
    uint64_t next = 0;
    while (!stop.load() || next < log->EndOffset()) {
      auto r = log->Read(next, 500, 1 << 20);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      for (const StoredRecord& rec : r->records) {
        ASSERT_EQ(rec.offset, next);
        ASSERT_EQ(rec.data, DataFor(next));
        ++next;
      }
      checked = next;
    }
  });
  AppendRecords(log.get(), 20000, 17, 1);
  stop = true;
  reader.join();
  EXPECT_EQ(checked.load(), 20000u);
}

// Full-size reads (10,000 records, GetRecords' maximum) from offsets in the
// middle of batches. Speed is measured by the benchmark, not asserted here.
TEST(ShardLogTest, ReadsTenThousandRecordsFromMidBatchOffsets) {
  TempDir dir;
  LogOptions o;
  o.durability = Durability::kOs;
  auto log = std::move(ShardLog::Open(dir.path(), o, nullptr).value());
  AppendRecords(log.get(), 100000, 500, 1);
  for (int round = 0; round < 20; ++round) {
    const uint64_t from = static_cast<uint64_t>(round) * 4000 + 123;
    auto r = log->Read(from, 10000, 64 << 20);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->records.size(), 10000u);
    EXPECT_EQ(r->records.front().offset, from);
    EXPECT_EQ(r->records.back().offset, from + 9999);
    EXPECT_EQ(r->next_offset, from + 10000);
  }
}

TEST(ShardLogTest, OffsetForTimeFindsTheFirstBatchAtOrAfterATime) {
  TempDir dir;
  LogOptions o;
  o.durability = Durability::kOs;
  auto log = std::move(ShardLog::Open(dir.path(), o, nullptr).value());
  for (int b = 0; b < 200; ++b) AppendRecords(log.get(), 500, 500, 1000 + b);
  for (int round = 0; round < 20; ++round) {
    auto offset = log->OffsetForTime(1000 + round * 7);
    ASSERT_TRUE(offset.ok());
    ASSERT_EQ(*offset, static_cast<uint64_t>(round) * 7 * 500);
  }
}

TEST(ShardLogTest, AppendsThousandBatchesOfFiveHundredDensely) {
  TempDir dir;
  LogOptions o;
  o.durability = Durability::kOs;
  auto log = std::move(ShardLog::Open(dir.path(), o, nullptr).value());
  testutil::FiveHundredRecords batch;
  const std::vector<AppendEntry>& entries = batch.entries;
  const uint64_t batches = 1000;
  for (uint64_t i = 0; i < batches; ++i) {
    auto first = log->Append(entries, 1);
    ASSERT_TRUE(first.ok());
    ASSERT_EQ(*first, i * 500);
  }
  EXPECT_EQ(log->EndOffset(), batches * 500);
}

long ResidentBytes() {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return -1;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = -1;
  std::fclose(f);
  return resident * sysconf(_SC_PAGESIZE);
}

TEST(ShardLogTest, StoredRecordsAreNotKeptInMemory) {
  TempDir dir;
  LogOptions o;
  o.durability = Durability::kOs;
  auto log = std::move(ShardLog::Open(dir.path(), o, nullptr).value());
  testutil::FiveHundredRecords batch;
  const std::vector<AppendEntry>& entries = batch.entries;
  ASSERT_TRUE(log->Append(entries, 1).ok());  // warm up buffers
  long before = ResidentBytes();
  ASSERT_GT(before, 0);
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(log->Append(entries, 1).ok());  // 1M records
  long grown = ResidentBytes() - before;
  std::printf("RSS grew by %.1f MiB for 1M stored records\n", grown / 1048576.0);
  EXPECT_LT(grown, 16l << 20);
  EXPECT_GT(log->SizeBytes(), 100u << 20);
}

}  // namespace
}  // namespace sluice::storage
