// Segment naming, the batch scanner and the segment reader, on memory files.
#include "storage/segment.h"

#include <gtest/gtest.h>

#include "storage/batch_scanner.h"
#include "storage/segment_reader.h"
#include "storage_test_util.h"

namespace sluice::storage {
namespace {

using testutil::DataFor;
using testutil::KeyFor;

// A memory segment file holding `batches` batches of `per_batch` records.
std::unique_ptr<SegmentFile> MakeFile(int batches, int per_batch, std::vector<uint64_t>* starts) {
  auto file = NewMemorySegmentFile();
  std::string scratch;
  uint64_t offset = 0;
  for (int b = 0; b < batches; ++b) {
    std::vector<std::string> keys, datas;
    std::vector<AppendEntry> entries;
    for (int i = 0; i < per_batch; ++i) {
      keys.push_back(KeyFor(offset + i));
      datas.push_back(DataFor(offset + i));
    }
    for (int i = 0; i < per_batch; ++i) entries.push_back({keys[i], datas[i]});
    if (starts) starts->push_back(file->Size());
    size_t n = EncodeBatch(entries, offset, 1000 + b, &scratch);
    EXPECT_TRUE(file->Append(scratch.data(), n).ok());
    offset += per_batch;
  }
  return file;
}

TEST(SegmentTest, FileNamesAreTwentyDigitBaseOffsets) {
  EXPECT_EQ(SegmentStem("/d", 12500), "/d/00000000000000012500");
  uint64_t base = 0;
  EXPECT_TRUE(ParseSegmentFileName("00000000000000012500.log", &base));
  EXPECT_EQ(base, 12500u);
  EXPECT_TRUE(ParseSegmentFileName("18446744073709551615.log", &base));
  EXPECT_EQ(base, UINT64_MAX);
  EXPECT_FALSE(ParseSegmentFileName("18446744073709551616.log", &base));  // overflow
  EXPECT_FALSE(ParseSegmentFileName("00000000000000012500.index", &base));
  EXPECT_FALSE(ParseSegmentFileName("0000000000000001250x.log", &base));
  EXPECT_FALSE(ParseSegmentFileName("12500.log", &base));
}

TEST(SegmentTest, ScannerVisitsEveryBatchThenEnds) {
  std::vector<uint64_t> starts;
  auto file = MakeFile(5, 3, &starts);
  BatchScanner scanner(*file, 0, file->Size());
  for (int b = 0; b < 5; ++b) {
    ASSERT_EQ(scanner.Next(), BatchScanner::Outcome::kBatch);
    EXPECT_EQ(scanner.position(), starts[b]);
    EXPECT_EQ(scanner.header().base_offset, 3u * b);
  }
  EXPECT_EQ(scanner.Next(), BatchScanner::Outcome::kEnd);
}

TEST(SegmentTest, ScannerReportsATornLastBatch) {
  std::vector<uint64_t> starts;
  auto file = MakeFile(3, 3, &starts);
  ASSERT_TRUE(file->Truncate(file->Size() - 1).ok());
  BatchScanner scanner(*file, 0, file->Size());
  EXPECT_EQ(scanner.Next(), BatchScanner::Outcome::kBatch);
  EXPECT_EQ(scanner.Next(), BatchScanner::Outcome::kBatch);
  EXPECT_EQ(scanner.Next(), BatchScanner::Outcome::kTorn);
  EXPECT_EQ(scanner.position(), starts[2]);
}

TEST(SegmentTest, ScannerReportsACorruptBatch) {
  std::vector<uint64_t> starts;
  auto file = MakeFile(3, 3, &starts);
  std::string bytes(file->Size(), '\0');
  ASSERT_TRUE(file->ReadAt(0, bytes.size(), bytes.data()).ok());
  bytes[starts[1] + 50] ^= 0x10;
  auto damaged = NewMemorySegmentFile();
  ASSERT_TRUE(damaged->Append(bytes.data(), bytes.size()).ok());
  BatchScanner scanner(*damaged, 0, damaged->Size());
  EXPECT_EQ(scanner.Next(), BatchScanner::Outcome::kBatch);
  EXPECT_EQ(scanner.Next(), BatchScanner::Outcome::kCorrupt);
  EXPECT_EQ(scanner.position(), starts[1]);
}

TEST(SegmentTest, ScannerReportsZeroPaddingAsTheEnd) {
  std::vector<uint64_t> starts;
  auto file = MakeFile(2, 3, &starts);
  const uint64_t data_end = file->Size();
  std::string zeros(4096, '\0');
  ASSERT_TRUE(file->Append(zeros.data(), zeros.size()).ok());
  BatchScanner scanner(*file, 0, file->Size());
  EXPECT_EQ(scanner.Next(), BatchScanner::Outcome::kBatch);
  EXPECT_EQ(scanner.Next(), BatchScanner::Outcome::kBatch);
  EXPECT_EQ(scanner.Next(), BatchScanner::Outcome::kPadding);
  EXPECT_EQ(scanner.position(), data_end);
}

TEST(SegmentTest, ScannerTellsShortPaddingFromATornHeader) {
  auto padded = MakeFile(1, 3, nullptr);
  const uint64_t data_end = padded->Size();
  std::string tail(kBatchHeaderSize - 1, '\0');
  ASSERT_TRUE(padded->Append(tail.data(), tail.size()).ok());
  BatchScanner zeros(*padded, 0, padded->Size());
  EXPECT_EQ(zeros.Next(), BatchScanner::Outcome::kBatch);
  EXPECT_EQ(zeros.Next(), BatchScanner::Outcome::kPadding);
  EXPECT_EQ(zeros.position(), data_end);

  auto torn = MakeFile(1, 3, nullptr);
  tail[0] = 'S';  // the start of a header that was cut short
  ASSERT_TRUE(torn->Append(tail.data(), tail.size()).ok());
  BatchScanner scanner(*torn, 0, torn->Size());
  EXPECT_EQ(scanner.Next(), BatchScanner::Outcome::kBatch);
  EXPECT_EQ(scanner.Next(), BatchScanner::Outcome::kTorn);
}

TEST(SegmentTest, PosixFileIsPaddedAheadAndSealedToItsData) {
  testutil::TempDir dir;
  std::string path = dir.Join("segment.log");
  auto file = std::move(OpenPosixSegmentFile(path).value());
  // An empty segment is not padded: unused shards cost no disk.
  ASSERT_TRUE(file->PrepareAhead(64 << 20).ok());
  EXPECT_EQ(file->Size(), 0u);
  EXPECT_EQ(file->PhysicalSize(), 0u);
  EXPECT_EQ(testutil::FileSize(path), 0u);

  // Once it holds data, a chunk of zeros (at least 1 MiB) follows the data.
  std::string batch(1000, 'x');
  ASSERT_TRUE(file->Append(batch.data(), batch.size()).ok());
  ASSERT_TRUE(file->PrepareAhead(64 << 20).ok());
  const uint64_t padded = 1000 + kMinPaddingChunkBytes;
  EXPECT_EQ(file->PhysicalSize(), padded);
  EXPECT_EQ(testutil::FileSize(path), padded);

  // Appends overwrite the padding; the file does not grow.
  for (int i = 1; i < 100; ++i) ASSERT_TRUE(file->Append(batch.data(), batch.size()).ok());
  EXPECT_EQ(file->Size(), 100000u);
  EXPECT_EQ(testutil::FileSize(path), padded);
  std::string back(10, '\0');
  ASSERT_EQ(*file->ReadAt(99990, 10, back.data()), 10u);
  EXPECT_EQ(back, std::string(10, 'x'));

  // Plenty of padding left: nothing to do. Within half a chunk of its end:
  // the next chunk is written (as long as the file, at least 1 MiB).
  ASSERT_TRUE(file->PrepareAhead(64 << 20).ok());
  EXPECT_EQ(file->PhysicalSize(), padded);
  std::string big(kMinPaddingChunkBytes / 2, 'y');
  ASSERT_TRUE(file->Append(big.data(), big.size()).ok());
  ASSERT_TRUE(file->PrepareAhead(64 << 20).ok());
  EXPECT_EQ(file->PhysicalSize(), 2 * padded);
  // Never past the limit given.
  ASSERT_TRUE(file->Append(big.data(), big.size()).ok());
  ASSERT_TRUE(file->PrepareAhead(2 * padded + 4096).ok());
  EXPECT_EQ(file->PhysicalSize(), 2 * padded + 4096);

  // An append past the padding grows the file with it.
  std::string huge(kMinPaddingChunkBytes, 'z');
  uint64_t before = file->Size();
  ASSERT_TRUE(file->Append(huge.data(), huge.size()).ok());
  EXPECT_EQ(file->Size(), before + huge.size());
  EXPECT_EQ(file->PhysicalSize(), file->Size());

  ASSERT_TRUE(file->PrepareAhead(64 << 20).ok());
  EXPECT_GT(file->PhysicalSize(), file->Size());
  ASSERT_TRUE(file->Seal().ok());
  EXPECT_EQ(testutil::FileSize(path), file->Size());
  ASSERT_TRUE(file->PrepareAhead(64 << 20).ok());  // sealed: no more padding
  EXPECT_EQ(testutil::FileSize(path), file->Size());
}

TEST(SegmentTest, ReleasedPosixFileRefusesWritesAndLeavesItsOldDescriptorNumberAlone) {
  testutil::TempDir dir;
  std::string path = dir.Join("segment.log");
  auto file = std::move(OpenPosixSegmentFile(path).value());
  std::string batch(1000, 'x');
  ASSERT_TRUE(file->Append(batch.data(), batch.size()).ok());
  ASSERT_TRUE(file->Seal().ok());
  file->Release();
  // The lowest free number, very likely the one the release closed.
  std::string other = dir.Join("other");
  int other_fd = ::open(other.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(other_fd, 0);

  Status appended = file->Append(batch.data(), batch.size());
  EXPECT_EQ(appended.code(), ErrorCode::kIoError);
  EXPECT_NE(appended.message().find(path), std::string::npos) << appended.ToString();
  EXPECT_EQ(file->Truncate(0).code(), ErrorCode::kIoError);
  ::close(other_fd);
  EXPECT_EQ(testutil::FileSize(other), 0u);
  EXPECT_EQ(testutil::FileSize(path), 1000u);
  // Still readable, through a descriptor of its own.
  std::string back(1000, '\0');
  ASSERT_EQ(file->ReadAt(0, back.size(), back.data()).value(), 1000u);
  EXPECT_EQ(back, batch);
}

TEST(SegmentTest, ReaderKeepsViewsValidWhileTheBufferGrows) {
  // 200 batches of 50 records: the reader's buffer grows many times.
  auto file = MakeFile(200, 50, nullptr);
  ReadBudget budget{10000, 64 << 20};
  ReadResult result;
  uint64_t next_offset = 0;
  ASSERT_TRUE(ReadSegmentRecords(*file, 0, file->Size(), 25, &budget, &result, &next_offset).ok());
  ASSERT_EQ(result.records.size(), 200u * 50 - 25);
  for (size_t i = 0; i < result.records.size(); ++i) {
    ASSERT_EQ(result.records[i].offset, 25 + i);
    ASSERT_EQ(result.records[i].partition_key, KeyFor(25 + i));
    ASSERT_EQ(result.records[i].data, DataFor(25 + i));
  }
  EXPECT_FALSE(budget.exhausted);
}

TEST(SegmentTest, ReaderStopsWhenTheBudgetIsSpent) {
  auto file = MakeFile(10, 10, nullptr);
  ReadBudget budget{15, 64 << 20};
  ReadResult result;
  uint64_t next_offset = 0;
  ASSERT_TRUE(ReadSegmentRecords(*file, 0, file->Size(), 0, &budget, &result, &next_offset).ok());
  EXPECT_EQ(result.records.size(), 15u);
  EXPECT_TRUE(budget.exhausted);
}

TEST(SegmentTest, TimeLookupFindsTheFirstRecordAtOrAfter) {
  auto file = MakeFile(10, 10, nullptr);  // batch b arrives at 1000 + b
  EXPECT_EQ(*FindOffsetForTime(*file, 0, file->Size(), 0), 0u);
  EXPECT_EQ(*FindOffsetForTime(*file, 0, file->Size(), 1004), 40u);
  EXPECT_EQ(*FindOffsetForTime(*file, 0, file->Size(), 2000), UINT64_MAX);
}

}  // namespace
}  // namespace sluice::storage
