#include "util/iso8601.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

constexpr int64_t kNov24 = 1795559400;  // 2026-11-24T22:30:00Z

void ExpectTime(std::string_view text, int64_t seconds, int64_t nanos, std::optional<int> offset = std::nullopt) {
  std::optional<Iso8601Time> t = ParseIso8601(text);
  ASSERT_TRUE(t.has_value()) << text;
  EXPECT_EQ(t->seconds, seconds) << text;
  EXPECT_EQ(t->nanos, nanos) << text;
  EXPECT_EQ(t->offset_seconds, offset) << text;
}

TEST(Iso8601, ReadsUtcWithZOrNoZone) {
  ExpectTime("2026-11-24T22:30:00Z", kNov24, 0);
  ExpectTime("2026-11-24t22:30:00z", kNov24, 0);
  ExpectTime("2026-11-24 22:30:00", kNov24, 0);
  ExpectTime("1970-01-01T00:01:00Z", 60, 0);
}

TEST(Iso8601, AFractionOfAnyLengthKeepsNineDigits) {
  ExpectTime("2026-11-24T22:30:00.5Z", kNov24, 500000000);
  ExpectTime("2026-11-24T22:30:00.250Z", kNov24, 250000000);
  ExpectTime("2026-11-24T22:30:00.123456789987Z", kNov24, 123456789);
}

TEST(Iso8601, AnOffsetIsAppliedToReachUtc) {
  ExpectTime("2026-11-24T23:30:00+01:00", kNov24, 0, 3600);
  ExpectTime("2026-11-24T20:00:00-02:30", kNov24, 0, -9000);
  ExpectTime("2026-11-24T23:30:00.75+01:00", kNov24, 750000000, 3600);
  ExpectTime("2026-11-24T22:30:00+00:00", kNov24, 0, 0);
}

TEST(Iso8601, MalformedOrOutOfRangeTextIsRefused) {
  for (std::string_view bad : {
           "",
           "2026-11-24",
           "2026-11-24T22:30",
           "2026/11/24T22:30:00Z",
           "2026-11-24X22:30:00Z",
           "2026-13-24T22:30:00Z",
           "2026-11-00T22:30:00Z",
           "2026-11-24T24:30:00Z",
           "2026-11-24T22:60:00Z",
           "2026-11-24T22:30:61Z",
           "2026-11-24T22:30:00.Z",
           "2026-11-24T22:30:00+1:00",
           "2026-11-24T22:30:00+01",
           "2026-11-24T22:30:00Zjunk",
           "20261124T223000Z",
       }) {
    EXPECT_FALSE(ParseIso8601(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace sluice
