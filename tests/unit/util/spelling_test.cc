#include "util/spelling.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace sluice {
namespace {

TEST(EditDistance, CountsInsertionsDeletionsSubstitutionsAndSwaps) {
  EXPECT_EQ(EditDistance("create", "create"), 0u);
  EXPECT_EQ(EditDistance("craete", "create"), 1u);  // two neighbours swapped
  EXPECT_EQ(EditDistance("PutRecod", "PutRecord"), 1u);
  EXPECT_EQ(EditDistance("PutRecords", "PutRecord"), 1u);
  EXPECT_EQ(EditDistance("lst", "list"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("abc", ""), 3u);
}

TEST(EditDistance, IgnoresAsciiCase) { EXPECT_EQ(EditDistance("putrecords", "PutRecords"), 0u); }

TEST(ClosestName, SuggestsTheNearestCloseName) {
  const std::vector<std::string_view> commands = {"create", "list", "describe", "delete", "split", "merge"};
  EXPECT_EQ(ClosestName("craete", commands), "create");
  EXPECT_EQ(ClosestName("delte", commands), "delete");
  EXPECT_EQ(ClosestName("lst", commands), "list");
  EXPECT_EQ(ClosestName("describe", commands), "describe");
}

TEST(ClosestName, SuggestsNothingForAFarName) {
  const std::vector<std::string_view> commands = {"create", "list", "describe", "delete"};
  EXPECT_EQ(ClosestName("banana", commands), std::nullopt);
  EXPECT_EQ(ClosestName("x", commands), std::nullopt);
  EXPECT_EQ(ClosestName("", commands), std::nullopt);
}

TEST(ClosestName, TheFirstOfEquallyNearNamesWins) {
  const std::vector<std::string_view> names = {"PutRecord", "PutRecords"};
  EXPECT_EQ(ClosestName("PutRecordz", names), "PutRecord");
}

}  // namespace
}  // namespace sluice
