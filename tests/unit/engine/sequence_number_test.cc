#include "engine/sequence_number.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace sluice::engine {
namespace {

TEST(SequenceNumberTest, MatchesTheProtocolDocumentVector) {
  SequenceFields f{1700000000, 0, 1, 1700000005};
  EXPECT_EQ(SequenceNumberString(f), "49646437577108476416916876405827138351405044649047359490");
}

TEST(SequenceNumberTest, ParsesTheProtocolDocumentVector) {
  auto f = ParseSequenceNumber("49646437577108476416916876405827138351405044649047359490");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->shard_created_seconds, 1700000000);
  EXPECT_EQ(f->shard_index, 0u);
  EXPECT_EQ(f->counter, 1u);
  EXPECT_EQ(f->record_seconds, 1700000005);
}

TEST(SequenceNumberTest, RoundTripsExtremeFields) {
  std::vector<SequenceFields> cases = {
      {0, 0, 0, 0},
      {kMaxSequenceSeconds, 0x7fffffffu, kEndingCounter, kMaxSequenceSeconds},
      {1700000000, 17, 0x0123456789abcdefull, 1700001234},
      {1, 0x7ffffff0u, 1ull << 48, 2},
      {1700000000, 15, (1ull << 48) - 1, 1700000000},
  };
  for (const SequenceFields& in : cases) {
    SequenceDigits d = FormatSequenceNumber(in);
    for (char c : d) ASSERT_TRUE(c >= '0' && c <= '9');
    EXPECT_NE(d[0], '0');
    auto out = ParseSequenceNumber(ToView(d));
    ASSERT_TRUE(out.has_value()) << ToView(d);
    EXPECT_EQ(out->shard_created_seconds, in.shard_created_seconds);
    EXPECT_EQ(out->shard_index, in.shard_index);
    EXPECT_EQ(out->counter, in.counter);
    EXPECT_EQ(out->record_seconds, in.record_seconds);
  }
}

TEST(SequenceNumberTest, RandomRoundTripAndStringOrderEqualsCounterOrder) {
  std::mt19937_64 rng(42);
  std::vector<std::pair<uint64_t, std::string>> numbers;
  for (int i = 0; i < 20000; ++i) {
    SequenceFields f;
    f.shard_created_seconds = 1700000000;
    f.shard_index = 3;
    f.counter = rng() >> 1;
    f.record_seconds = static_cast<int64_t>(rng() % (1ull << 36));  // any time: counter dominates
    std::string s = SequenceNumberString(f);
    ASSERT_EQ(s.size(), 56u);
    auto back = ParseSequenceNumber(s);
    ASSERT_TRUE(back.has_value());
    ASSERT_EQ(back->counter, f.counter);
    ASSERT_EQ(back->record_seconds, f.record_seconds);
    numbers.emplace_back(f.counter, s);
  }
  std::sort(numbers.begin(), numbers.end());
  for (size_t i = 1; i < numbers.size(); ++i) {
    if (numbers[i].first == numbers[i - 1].first) continue;
    EXPECT_LT(numbers[i - 1].second, numbers[i].second);
  }
}

TEST(SequenceNumberTest, LaterShardCreationSortsAfterEveryRecordOfTheParent) {
  std::string parent_end = std::string(ToView(EndingSequenceNumber(1700000000, 0, 1800000000)));
  std::string child_start = std::string(ToView(StartingSequenceNumber(1700000001, 1)));
  EXPECT_LT(parent_end, child_start);
}

TEST(SequenceNumberTest, StartingIsBelowAndEndingAboveEveryRecord) {
  std::string start = std::string(ToView(StartingSequenceNumber(1700000000, 2)));
  std::string first = SequenceNumberString({1700000000, 2, 1, 1700000000});
  std::string last = SequenceNumberString({1700000000, 2, kEndingCounter - 1, 1799999999});
  std::string end = std::string(ToView(EndingSequenceNumber(1700000000, 2, 1700000100)));
  EXPECT_LT(start, first);
  EXPECT_LT(last, end);
  auto parsed = ParseSequenceNumber(start);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->counter, 0u);
  EXPECT_EQ(parsed->record_seconds, 1700000000);
}

TEST(SequenceNumberTest, RejectsMalformedInput) {
  const std::string good = "49646437577108476416916876405827138351405044649047359490";
  EXPECT_FALSE(ParseSequenceNumber("").has_value());
  EXPECT_FALSE(ParseSequenceNumber("0").has_value());
  EXPECT_FALSE(ParseSequenceNumber(good.substr(1)).has_value());  // 55 digits
  EXPECT_FALSE(ParseSequenceNumber(good + "0").has_value());      // 57 digits
  std::string letter = good;
  letter[10] = 'a';
  EXPECT_FALSE(ParseSequenceNumber(letter).has_value());
  std::string version = good;
  version[55] = '1';  // last nibble becomes 1: unknown version
  EXPECT_FALSE(ParseSequenceNumber(version).has_value());
  EXPECT_FALSE(ParseSequenceNumber(std::string(56, '9')).has_value());  // leading nibble 3+
  EXPECT_FALSE(ParseSequenceNumber(std::string(56, '1')).has_value());  // below 2^185
}

TEST(SequenceNumberTest, RejectsFieldsSluiceNeverIssues) {
  // Hex layouts computed independently (Python int(hex, 16)) from the
  // document vector, each with one field changed.
  // index nibble 5 while the shard index is 0
  EXPECT_FALSE(ParseSequenceNumber("49646437577219980142909529521534816942768286456577261570"));
  // counter with its top bit set
  EXPECT_FALSE(ParseSequenceNumber("49646437577119626789516141717396697284721754200625643522"));
  // the reserved byte is 01 instead of 00
  EXPECT_FALSE(ParseSequenceNumber("49646437577108476416916876405827143073771527518692573186"));
  // shard index 0x80000000 (negative in the service's reading)
  EXPECT_FALSE(ParseSequenceNumber("49646437577108476416916876405827138351405044683407097858"));
}

TEST(SequenceNumberTest, ShardIndexAboveFifteenKeepsItsLowNibble) {
  auto f = ParseSequenceNumber(SequenceNumberString({1700000000, 0x1234, 9, 1700000005}));
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->shard_index, 0x1234u);
  EXPECT_EQ(f->counter, 9u);
}

}  // namespace
}  // namespace sluice::engine
