#include "server/output_queue.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace sluice::server {
namespace {

class SocketPair {
 public:
  SocketPair() {
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
    int small = 4096;
    setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    fcntl(fds_[0], F_SETFL, O_NONBLOCK);
  }
  ~SocketPair() {
    close(fds_[0]);
    if (fds_[1] >= 0) close(fds_[1]);
  }
  void CloseReader() {
    close(fds_[1]);
    fds_[1] = -1;
  }
  int writer() const { return fds_[0]; }
  int reader() const { return fds_[1]; }

 private:
  int fds_[2];
};

TEST(OutputQueueTest, WritesEverythingInOrderAcrossBlockedWrites) {
  SocketPair pair;
  OutputQueue q;
  std::string expected;
  for (int i = 0; i < 200; ++i) {
    std::string chunk = std::to_string(i) + ":" + std::string(static_cast<size_t>(i * 37 % 5000), 'a' + i % 26);
    expected += chunk;
    q.Append(chunk);
  }
  q.Append("");  // empty appends are ignored
  EXPECT_EQ(q.bytes(), expected.size());
  std::string received;
  bool blocked_once = false;
  while (true) {
    size_t written = 0;
    auto r = q.WriteTo(pair.writer(), &written);
    ASSERT_NE(r, OutputQueue::WriteResult::kError);
    if (r == OutputQueue::WriteResult::kDone) break;
    blocked_once = true;
    char buffer[8192];
    ssize_t n = read(pair.reader(), buffer, sizeof(buffer));
    ASSERT_GT(n, 0);
    received.append(buffer, static_cast<size_t>(n));
  }
  EXPECT_TRUE(blocked_once);
  EXPECT_TRUE(q.empty());
  while (received.size() < expected.size()) {
    char buffer[8192];
    ssize_t n = read(pair.reader(), buffer, sizeof(buffer));
    ASSERT_GT(n, 0);
    received.append(buffer, static_cast<size_t>(n));
  }
  EXPECT_EQ(received, expected);
}

TEST(OutputQueueTest, ClosedPeerIsAnError) {
  SocketPair pair;
  pair.CloseReader();
  OutputQueue q;
  q.Append("data");
  size_t written = 0;
  EXPECT_EQ(q.WriteTo(pair.writer(), &written), OutputQueue::WriteResult::kError);
}

}  // namespace
}  // namespace sluice::server
