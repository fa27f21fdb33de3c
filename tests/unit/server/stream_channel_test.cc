// StreamChannel without sockets: wakeups, accounting, drain detection and
// closing, driven from the test thread as both producer and loop.
#include "server/stream_channel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace sluice::server {
namespace {

class StreamChannelTest : public ::testing::Test {
 protected:
  std::shared_ptr<StreamChannel> Make(size_t threshold) {
    return std::make_shared<StreamChannel>([this] { ++wakes_; }, threshold);
  }
  int wakes_ = 0;
};

TEST_F(StreamChannelTest, WritesBeforeTheLoopLooksCostOneWakeup) {
  auto channel = Make(100);
  EXPECT_TRUE(channel->Write("a"));
  EXPECT_TRUE(channel->Write("b"));
  channel->Finish();
  EXPECT_EQ(wakes_, 1);
  channel->AckWake();
  channel->Finish();  // idempotent: no second wakeup
  EXPECT_EQ(wakes_, 1);
}

TEST_F(StreamChannelTest, AWriteAfterTheAckWakesAgain) {
  auto channel = Make(100);
  channel->Write("a");
  channel->AckWake();
  channel->Write("b");
  EXPECT_EQ(wakes_, 2);
  EXPECT_TRUE(channel->Write(""));  // accepted, nothing to send
  EXPECT_EQ(wakes_, 2);
}

TEST_F(StreamChannelTest, TakenBytesCountUntilMarkedSent) {
  auto channel = Make(100);
  channel->Write("hello");
  channel->Write("world");
  EXPECT_EQ(channel->BufferedBytes(), 10u);
  std::deque<std::string> pieces;
  bool finished = true;
  channel->TakeAll(&pieces, &finished);
  EXPECT_FALSE(finished);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0], "hello");
  EXPECT_EQ(pieces[1], "world");
  EXPECT_EQ(channel->BufferedBytes(), 10u);
  channel->MarkSent(4);
  EXPECT_EQ(channel->BufferedBytes(), 6u);
  channel->MarkSent(6);
  EXPECT_EQ(channel->BufferedBytes(), 0u);

  channel->Finish();
  channel->TakeAll(&pieces, &finished);
  EXPECT_TRUE(finished);
}

TEST_F(StreamChannelTest, ReadCrossesPiecesAndReportsTheEndOnlyWhenEmpty) {
  auto channel = Make(100);
  channel->Write("abc");
  channel->Write("defg");
  channel->Finish();
  EXPECT_TRUE(channel->closed());
  EXPECT_FALSE(channel->Write("h"));
  uint8_t buffer[5];
  bool finished = true;
  ASSERT_EQ(channel->Read(buffer, 5, &finished), 5u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), 5), "abcde");
  EXPECT_FALSE(finished);
  EXPECT_EQ(channel->BufferedBytes(), 2u);
  ASSERT_EQ(channel->Read(buffer, 5, &finished), 2u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buffer), 2), "fg");
  EXPECT_TRUE(finished);
  EXPECT_EQ(channel->BufferedBytes(), 0u);
}

TEST_F(StreamChannelTest, TakeAllAfterAPartialReadKeepsTheRest) {
  auto channel = Make(100);
  channel->Write("abcdef");
  uint8_t buffer[2];
  bool finished = false;
  channel->Read(buffer, 2, &finished);
  std::deque<std::string> pieces;
  channel->TakeAll(&pieces, &finished);
  ASSERT_EQ(pieces.size(), 1u);
  EXPECT_EQ(pieces[0], "cdef");
}

TEST_F(StreamChannelTest, DrainedOnceAfterReachingTheThresholdAndFallingBelow) {
  auto channel = Make(10);
  channel->Write("12345");
  uint8_t buffer[64];
  bool finished = false;
  channel->Read(buffer, 5, &finished);
  EXPECT_FALSE(channel->TakeDrained());  // never reached the threshold

  channel->Write("1234567890");  // reaches 10
  EXPECT_FALSE(channel->TakeDrained());
  channel->Read(buffer, 1, &finished);  // 9 left: below
  EXPECT_TRUE(channel->TakeDrained());
  EXPECT_FALSE(channel->TakeDrained());  // once
  channel->Read(buffer, 9, &finished);
  EXPECT_FALSE(channel->TakeDrained());
}

TEST_F(StreamChannelTest, ZeroThresholdDrainsAtEmpty) {
  auto channel = Make(0);
  channel->Write("ab");
  uint8_t buffer[2];
  bool finished = false;
  channel->Read(buffer, 1, &finished);
  EXPECT_FALSE(channel->TakeDrained());
  channel->Read(buffer, 1, &finished);
  EXPECT_TRUE(channel->TakeDrained());
}

TEST_F(StreamChannelTest, AbortOwesOnCloseOnlyWhenNotFinished) {
  auto open = Make(100);
  open->Write("queued");
  EXPECT_TRUE(open->Abort());
  EXPECT_FALSE(open->Abort());  // once
  EXPECT_TRUE(open->closed());
  EXPECT_FALSE(open->Write("more"));
  EXPECT_EQ(open->BufferedBytes(), 0u);

  auto finished = Make(100);
  finished->Finish();
  EXPECT_FALSE(finished->Abort());
}

TEST(StreamChannelThreadsTest, ConcurrentWritersAndALoopSeeEveryByteOnce) {
  std::atomic<int> wakes{0};
  auto channel = std::make_shared<StreamChannel>([&] { ++wakes; }, 1 << 10);
  constexpr int kWriters = 4;
  constexpr int kPieces = 2000;
  std::atomic<int> done{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kPieces; ++i) channel->Write(std::string(1 + (i % 7), static_cast<char>('a' + w)));
      ++done;
    });
  }
  size_t expected = 0;
  for (int i = 0; i < kPieces; ++i) expected += 1 + (i % 7);
  expected *= kWriters;
  // The "loop": take and mark sent until every writer is done and nothing
  // is left.
  size_t seen = 0;
  while (true) {
    bool last_round = done.load() == kWriters;
    channel->AckWake();
    std::deque<std::string> pieces;
    bool finished = false;
    channel->TakeAll(&pieces, &finished);
    size_t taken = 0;
    for (const auto& p : pieces) taken += p.size();
    seen += taken;
    channel->MarkSent(taken);
    if (last_round) break;
    std::this_thread::yield();
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(channel->BufferedBytes(), 0u);
  EXPECT_GE(wakes.load(), 1);
}

}  // namespace
}  // namespace sluice::server
