#include "storage/segment_index.h"

#include <gtest/gtest.h>

#include "storage/log_format.h"

namespace sluice::storage {
namespace {

SegmentIndex ThreeEntries() {
  SegmentIndex index;
  // Batches of 10 records, 500 bytes each, arriving at 100, 200, 300, ...
  int64_t max_before = INT64_MIN;
  for (uint64_t b = 0; b < 10; ++b) {
    index.OnBatch(1000 + 10 * b, 500 * b, max_before, /*interval=*/1200);
    max_before = 100 * static_cast<int64_t>(b + 1);
  }
  return index;
}

TEST(SegmentIndexTest, EntriesAreSparse) {
  SegmentIndex index = ThreeEntries();
  // Positions 0, 1500, 3000, 4500 (every third 500-byte batch >= 1200 bytes on).
  ASSERT_EQ(index.size(), 4u);
  EXPECT_EQ(index.entries()[1].position, 1500u);
  EXPECT_EQ(index.entries()[1].offset, 1030u);
  EXPECT_EQ(index.entries()[1].max_arrival_before_ms, 300);
}

TEST(SegmentIndexTest, FloorOffsetFindsTheLastEntryAtOrBefore) {
  SegmentIndex index = ThreeEntries();
  EXPECT_EQ(index.FloorOffset(1000).position, 0u);
  EXPECT_EQ(index.FloorOffset(1029).position, 0u);
  EXPECT_EQ(index.FloorOffset(1030).position, 1500u);
  EXPECT_EQ(index.FloorOffset(1099).position, 4500u);
  EXPECT_EQ(index.FloorOffset(5).position, 0u);
}

TEST(SegmentIndexTest, FloorTimeBoundsTheAnswer) {
  SegmentIndex index = ThreeEntries();
  uint64_t next = 0;
  EXPECT_EQ(index.FloorTime(50, &next).offset, 1000u);
  EXPECT_EQ(next, 1030u);
  EXPECT_EQ(index.FloorTime(301, &next).offset, 1030u);
  EXPECT_EQ(next, 1060u);
  EXPECT_EQ(index.FloorTime(300, &next).offset, 1000u);  // a record at 300 is before 1030
  EXPECT_EQ(index.FloorTime(100000, &next).offset, 1090u);
  EXPECT_EQ(next, UINT64_MAX);
}

TEST(SegmentIndexTest, FilesRoundTrip) {
  SegmentIndex index = ThreeEntries();
  SegmentSummary summary{5000, 1100, 100, 1000};
  std::string offsets = index.EncodeOffsetFile(summary);
  std::string times = index.EncodeTimeFile(summary);
  EXPECT_EQ(offsets.size(), kIndexHeaderSize + 4 * kIndexEntrySize);
  SegmentSummary decoded;
  auto back = SegmentIndex::Decode(offsets, times, &decoded);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(decoded.segment_bytes, 5000u);
  EXPECT_EQ(decoded.end_offset, 1100u);
  EXPECT_EQ(decoded.max_arrival_ms, 1000);
  ASSERT_EQ(back->size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(back->entries()[i].offset, index.entries()[i].offset);
    EXPECT_EQ(back->entries()[i].position, index.entries()[i].position);
    EXPECT_EQ(back->entries()[i].max_arrival_before_ms, index.entries()[i].max_arrival_before_ms);
  }
}

TEST(SegmentIndexTest, DamagedOrMismatchedFilesAreCorruption) {
  SegmentIndex index = ThreeEntries();
  SegmentSummary summary{5000, 1100, 100, 1000};
  std::string offsets = index.EncodeOffsetFile(summary);
  std::string times = index.EncodeTimeFile(summary);
  SegmentSummary decoded;
  std::string flipped = offsets;
  flipped[kIndexHeaderSize + 3] ^= 1;
  EXPECT_EQ(SegmentIndex::Decode(flipped, times, &decoded).status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(SegmentIndex::Decode(offsets.substr(0, offsets.size() - 1), times, &decoded).status().code(),
            ErrorCode::kCorruption);
  EXPECT_EQ(SegmentIndex::Decode(times, offsets, &decoded).status().code(), ErrorCode::kCorruption);
  SegmentSummary other{4000, 1100, 100, 1000};
  EXPECT_EQ(SegmentIndex::Decode(offsets, index.EncodeTimeFile(other), &decoded).status().code(),
            ErrorCode::kCorruption);
}

}  // namespace
}  // namespace sluice::storage
