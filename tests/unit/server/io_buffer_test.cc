#include "server/io_buffer.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::server {
namespace {

TEST(IoBufferTest, AppendConsumeKeepsByteOrder) {
  IoBuffer b;
  b.Append("hello ");
  b.Append("world");
  EXPECT_EQ(b.view(), "hello world");
  b.Consume(6);
  EXPECT_EQ(b.view(), "world");
  b.Consume(5);
  EXPECT_TRUE(b.empty());
}

TEST(IoBufferTest, ReserveGrowsAndKeepsUnconsumedBytes) {
  IoBuffer b;
  std::string big(10000, 'a');
  big += "tail";
  b.Append(big);
  b.Consume(9000);
  b.Reserve(1 << 20);
  EXPECT_GE(b.WritableSize(), 1u << 20);
  EXPECT_EQ(b.view(), big.substr(9000));
}

TEST(IoBufferTest, CommitMakesWrittenBytesReadable) {
  IoBuffer b;
  b.Reserve(3);
  b.WritableData()[0] = 'x';
  b.WritableData()[1] = 'y';
  b.Commit(2);
  EXPECT_EQ(b.view(), "xy");
}

TEST(IoBufferTest, ShrinkIfIdleFreesOnlyWhenEmpty) {
  IoBuffer b;
  b.Append(std::string(100000, 'z'));
  b.ShrinkIfIdle(0);
  EXPECT_EQ(b.size(), 100000u);  // not idle: kept
  b.Consume(100000);
  b.ShrinkIfIdle(0);
  EXPECT_EQ(b.WritableSize(), 0u);
}

}  // namespace
}  // namespace sluice::server
