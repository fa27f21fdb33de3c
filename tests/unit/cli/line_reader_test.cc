#include "cli/line_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

namespace sluice::cli {
namespace {

// A pipe whose write end the test holds.
struct Pipe {
  int fds[2];
  Pipe() { EXPECT_EQ(pipe(fds), 0); }
  ~Pipe() {
    close(fds[0]);
    CloseWriter();
  }
  void Write(const std::string& s) { ASSERT_EQ(write(fds[1], s.data(), s.size()), static_cast<ssize_t>(s.size())); }
  void CloseWriter() {
    if (fds[1] >= 0) close(fds[1]);
    fds[1] = -1;
  }
};

std::vector<std::string> AllLines(LineReader& in) {
  std::vector<std::string> out;
  std::string line;
  while (true) {
    LineReader::Got got = in.Next(&line, -1);
    if (got != LineReader::kLine) break;
    out.push_back(line);
  }
  return out;
}

TEST(LineReader, SplitsOnNewlinesDropsCarriageReturnsAndKeepsALastLineWithoutOne) {
  Pipe p;
  p.Write("one\ntwo\r\n\nlast");
  p.CloseWriter();
  LineReader in(p.fds[0], 100);
  EXPECT_EQ(AllLines(in), (std::vector<std::string>{"one", "two", "", "last"}));
  EXPECT_EQ(in.line_number(), 4u);
  std::string line;
  EXPECT_EQ(in.Next(&line, -1), LineReader::kEnd);
}

TEST(LineReader, ALineLongerThanTheLimitIsReportedByItsNumberAndEndsTheInput) {
  Pipe p;
  p.Write("ok\n" + std::string(11, 'x') + "\nnot read\n");
  p.CloseWriter();
  LineReader in(p.fds[0], 10);
  std::string line;
  ASSERT_EQ(in.Next(&line, -1), LineReader::kLine);
  EXPECT_EQ(line, "ok");
  EXPECT_EQ(in.Next(&line, -1), LineReader::kTooLong);
  EXPECT_EQ(in.line_number(), 2u);
  EXPECT_EQ(in.Next(&line, -1), LineReader::kEnd);
}

TEST(LineReader, ALineOfExactlyTheLimitIsALine) {
  Pipe p;
  p.Write(std::string(10, 'x') + "\n");
  p.CloseWriter();
  LineReader in(p.fds[0], 10);
  EXPECT_EQ(AllLines(in), std::vector<std::string>{std::string(10, 'x')});
}

TEST(LineReader, AnswersNothingYetWhenNoWholeLineArrivesInTime) {
  Pipe p;
  p.Write("part");
  LineReader in(p.fds[0], 100);
  std::string line;
  EXPECT_EQ(in.Next(&line, 20), LineReader::kNothingYet);
  p.Write("ial\nnext");
  ASSERT_EQ(in.Next(&line, 1000), LineReader::kLine);
  EXPECT_EQ(line, "partial");
  EXPECT_EQ(in.Next(&line, 20), LineReader::kNothingYet);
  p.CloseWriter();
  ASSERT_EQ(in.Next(&line, 1000), LineReader::kLine);
  EXPECT_EQ(line, "next");
  EXPECT_EQ(in.Next(&line, 1000), LineReader::kEnd);
  EXPECT_EQ(in.error(), "");
}

TEST(LineReader, ReadsLinesLongerThanOneReadBuffer) {
  Pipe p;
  LineReader in(p.fds[0], 1 << 20);
  const std::string big(200 * 1024, 'b');
  std::thread writer([&] {
    p.Write(big + "\nsmall\n");
    p.CloseWriter();
  });
  EXPECT_EQ(AllLines(in), (std::vector<std::string>{big, "small"}));
  writer.join();
}

}  // namespace
}  // namespace sluice::cli
