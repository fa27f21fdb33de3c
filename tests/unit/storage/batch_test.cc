#include "storage/batch.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/coding.h"
#include "storage/log_format.h"
#include "util/crc32c.h"

namespace sluice::storage {
namespace {

std::string Hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 15]);
  }
  return out;
}

std::string EncodeThreeRecords() {
  std::vector<AppendEntry> entries = {{"k1", "one"}, {"k2", "two"}, {"k3", "three"}};
  std::string scratch;
  size_t n = EncodeBatch(entries, 100, 1700000000000, &scratch);
  return scratch.substr(0, n);
}

// The worked example of docs/log-format.md; this test keeps the doc true.
TEST(BatchTest, ThreeRecordBatchMatchesTheDocumentedBytes) {
  std::string expected =
      "534c4201"               // magic "SLB", version 1
      "d318af87"               // crc32c of bytes [8, 66)
      "42000000"               // length 66
      "6400000000000000"       // base offset 100
      "03000000"               // record count 3
      "0068e5cf8b010000"       // first arrival 1700000000000
      "0068e5cf8b010000"       // last arrival 1700000000000
      "00026b31036f6e65"       // delta 0, "k1", "one"
      "00026b320374776f"       // delta 0, "k2", "two"
      "00026b33057468726565";  // delta 0, "k3", "three"
  std::string bytes = EncodeThreeRecords();
  EXPECT_EQ(Hex(bytes), expected);
}

TEST(BatchTest, EncodedBatchDecodesToTheSameRecords) {
  std::string bytes = EncodeThreeRecords();
  BatchHeader h;
  ASSERT_EQ(ParseBatchHeader(bytes.data(), bytes.size(), &h), HeaderParse::kOk);
  EXPECT_EQ(h.length, bytes.size());
  EXPECT_EQ(h.base_offset, 100u);
  EXPECT_EQ(h.record_count, 3u);
  EXPECT_EQ(h.end_offset(), 103u);
  EXPECT_EQ(h.first_arrival_ms, 1700000000000);
  EXPECT_TRUE(BatchCrcMatches(bytes.data(), h));
  std::vector<std::string> seen;
  EXPECT_TRUE(ForEachRecord(bytes.data(), h, [&](uint64_t off, int64_t at, std::string_view k, std::string_view d) {
    EXPECT_EQ(at, 1700000000000);
    seen.push_back(std::to_string(off) + ":" + std::string(k) + "=" + std::string(d));
    return true;
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"100:k1=one", "101:k2=two", "102:k3=three"}));
}

TEST(BatchTest, CrcCoversEverythingAfterTheCrcField) {
  std::string bytes = EncodeThreeRecords();
  for (size_t i = kBatchCrcCoverageStart; i < bytes.size(); ++i) {
    std::string flipped = bytes;
    flipped[i] ^= 0x01;
    BatchHeader h;
    if (ParseBatchHeader(flipped.data(), flipped.size(), &h) != HeaderParse::kOk) continue;
    if (h.length != bytes.size()) continue;  // a changed length is caught by framing
    EXPECT_FALSE(BatchCrcMatches(flipped.data(), h)) << "byte " << i;
  }
}

TEST(BatchTest, BadMagicOrVersionIsCorrupt) {
  std::string bytes = EncodeThreeRecords();
  BatchHeader h;
  std::string bad_magic = bytes;
  bad_magic[0] = 'X';
  EXPECT_EQ(ParseBatchHeader(bad_magic.data(), bad_magic.size(), &h), HeaderParse::kCorrupt);
  std::string bad_version = bytes;
  bad_version[kBatchVersionOffset] = 9;
  EXPECT_EQ(ParseBatchHeader(bad_version.data(), bad_version.size(), &h), HeaderParse::kCorrupt);
}

TEST(BatchTest, ShortHeaderNeedsMore) {
  std::string bytes = EncodeThreeRecords();
  BatchHeader h;
  EXPECT_EQ(ParseBatchHeader(bytes.data(), kBatchHeaderSize - 1, &h), HeaderParse::kNeedMore);
}

TEST(BatchTest, ImpossibleLengthOrCountIsCorrupt) {
  std::string bytes = EncodeThreeRecords();
  BatchHeader h;
  std::string short_length = bytes;
  coding::PutFixed32(short_length.data() + kBatchLengthOffset, 10);
  EXPECT_EQ(ParseBatchHeader(short_length.data(), short_length.size(), &h), HeaderParse::kCorrupt);
  std::string zero_count = bytes;
  coding::PutFixed32(zero_count.data() + kBatchCountOffset, 0);
  EXPECT_EQ(ParseBatchHeader(zero_count.data(), zero_count.size(), &h), HeaderParse::kCorrupt);
}

TEST(BatchTest, RecordLengthPastTheBatchIsMalformed) {
  std::string bytes = EncodeThreeRecords();
  bytes[kBatchHeaderSize + 1] = 0x7f;  // first key length now runs past the end
  BatchHeader h;
  ASSERT_EQ(ParseBatchHeader(bytes.data(), bytes.size(), &h), HeaderParse::kOk);
  EXPECT_FALSE(ForEachRecord(bytes.data(), h, [](auto, auto, auto, auto) { return true; }));
}

TEST(BatchTest, ReusedScratchKeepsItsCapacity) {
  std::string scratch;
  std::string big(1000, 'x');
  std::vector<AppendEntry> large = {{"k", big}};
  std::vector<AppendEntry> small = {{"k", "v"}};
  size_t n1 = EncodeBatch(large, 0, 1, &scratch);
  const char* data = scratch.data();
  size_t n2 = EncodeBatch(small, 1, 1, &scratch);
  EXPECT_GT(n1, n2);
  EXPECT_EQ(scratch.data(), data);  // no reallocation for the smaller batch
  BatchHeader h;
  ASSERT_EQ(ParseBatchHeader(scratch.data(), n2, &h), HeaderParse::kOk);
  EXPECT_EQ(h.length, n2);
  EXPECT_TRUE(BatchCrcMatches(scratch.data(), h));
}

TEST(CodingTest, VarintRoundTripsAndRejectsTruncation) {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 1ull << 35, ~0ull}) {
    char buf[kMaxVarintBytes];
    char* end = coding::PutVarint64(buf, v);
    uint64_t got = 0;
    EXPECT_EQ(coding::GetVarint64(buf, end, &got), end);
    EXPECT_EQ(got, v);
    if (end - buf > 1) {
      EXPECT_EQ(coding::GetVarint64(buf, end - 1, &got), nullptr);
    }
  }
  for (int64_t v : {0ll, -1ll, 1ll, -1000ll, 1ll << 40}) {
    EXPECT_EQ(coding::ZigZagDecode(coding::ZigZagEncode(v)), v);
  }
}

}  // namespace
}  // namespace sluice::storage
