#include "util/log.h"

#include <vector>

#include <gtest/gtest.h>

namespace sluice::log {
namespace {

// 2026-01-02T03:04:05.678Z
constexpr int64_t kTime = 1767323045678;

TEST(LogFormatTest, TextKeepsTheClassicLine) {
  EXPECT_EQ(FormatLine(Format::kText, Level::kInfo, kTime, "sluice listening on 127.0.0.1:4567", {}),
            "2026-01-02T03:04:05.678Z INFO sluice listening on 127.0.0.1:4567\n");
  EXPECT_EQ(FormatLine(Format::kText, Level::kWarn, kTime, "w", {}), "2026-01-02T03:04:05.678Z WARN w\n");
}

TEST(LogFormatTest, TextAppendsFieldsQuotingWhenNeeded) {
  std::vector<Field> fields = {
      {"operation", "PutRecords"}, {"status", 200}, {"stream", "a b"}, {"error", ""}, {"q", "x\"y"},
      {"latency_ms", 1.5}};
  EXPECT_EQ(FormatLine(Format::kText, Level::kInfo, kTime, "request", fields),
            "2026-01-02T03:04:05.678Z INFO request operation=PutRecords status=200 stream=\"a b\" error=\"\" "
            "q=\"x\\\"y\" latency_ms=1.5\n");
}

TEST(LogFormatTest, JsonLine) {
  std::vector<Field> fields = {{"operation", "GetRecords"}, {"status", 400}, {"ok", false}, {"latency_ms", 0.25}};
  EXPECT_EQ(FormatLine(Format::kJson, Level::kError, kTime, "request", fields),
            "{\"time\":\"2026-01-02T03:04:05.678Z\",\"level\":\"error\",\"msg\":\"request\","
            "\"operation\":\"GetRecords\",\"status\":400,\"ok\":false,\"latency_ms\":0.25}\n");
  EXPECT_EQ(FormatLine(Format::kJson, Level::kDebug, kTime, "m", {}),
            "{\"time\":\"2026-01-02T03:04:05.678Z\",\"level\":\"debug\",\"msg\":\"m\"}\n");
}

TEST(LogFormatTest, JsonEscapesQuotesBackslashesAndControlCharacters) {
  std::vector<Field> fields = {{"k\"ey", "a\\b\n\t\r\b\f\x01\x1f\x7f"}};
  EXPECT_EQ(FormatLine(Format::kJson, Level::kInfo, kTime, "say \"hi\"\nbye", fields),
            "{\"time\":\"2026-01-02T03:04:05.678Z\",\"level\":\"info\",\"msg\":\"say \\\"hi\\\"\\nbye\","
            "\"k\\\"ey\":\"a\\\\b\\n\\t\\r\\b\\f\\u0001\\u001f\\u007f\"}\n");
}

TEST(LogFormatTest, JsonKeepsUtf8AndReplacesInvalidBytes) {
  std::string out;
  AppendJsonEscaped(&out, "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");  // été € 😀
  EXPECT_EQ(out, "\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  out.clear();
  // A stray continuation byte, a truncated sequence, an overlong '/', a
  // UTF-16 surrogate and a byte that never appears in UTF-8.
  AppendJsonEscaped(&out, std::string_view("a\x80"
                                           "b\xe2\x82"
                                           "c\xc0\xaf"
                                           "d\xed\xa0\x80"
                                           "e\xff",
                                           14));
  EXPECT_EQ(out, "a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffdd\\ufffd\\ufffd\\ufffde\\ufffd");
}

}  // namespace
}  // namespace sluice::log
