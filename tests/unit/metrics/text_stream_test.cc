// TextStream: parts run in order, a piece stops once it holds enough.
#include "metrics/text_stream.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace sluice::metrics {
namespace {

TEST(TextStreamTest, PartsRunInOrderAndAPieceStopsOnceItHoldsEnough) {
  TextStream text;
  text.AddText("head\n");
  auto calls = std::make_shared<int>(0);
  text.Add([calls](std::string* out) {
    *out += "line " + std::to_string(++*calls) + "\n";  // 7 bytes a call
    return *calls == 10;
  });
  text.AddText("tail\n");
  std::string piece;
  EXPECT_TRUE(text.Next(&piece, 12));
  EXPECT_EQ(piece, "head\nline 1\n");
  EXPECT_EQ(*calls, 1) << "no more made than the piece needs";
  std::string rest;
  EXPECT_FALSE(text.Next(&rest, 1 << 20));
  EXPECT_EQ(*calls, 10);
  EXPECT_TRUE(rest.starts_with("line 2\n"));
  EXPECT_TRUE(rest.ends_with("line 10\ntail\n"));
  std::string after;
  EXPECT_FALSE(text.Next(&after, 1));
  EXPECT_TRUE(after.empty());
}

}  // namespace
}  // namespace sluice::metrics
