#include "bench/server_process.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace sluice::bench {
namespace {

TEST(ServerProbeTest, AnOpenFileIsOneMoreDescriptor) {
  const int64_t before = CountOpenDescriptors(::getpid());
  ASSERT_GT(before, 0);
  const int fd = ::open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  EXPECT_EQ(CountOpenDescriptors(::getpid()), before + 1);
  ::close(fd);
  EXPECT_EQ(CountOpenDescriptors(::getpid()), before);
}

TEST(ServerProbeTest, DiskUsageCountsAllocatedBlocksOfNestedFiles) {
  char dir[] = "/tmp/server-probe-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const int64_t empty = DiskUsageBytes(dir);
  ASSERT_GE(empty, 0);
  const std::string sub = std::string(dir) + "/sub";
  ASSERT_EQ(::mkdir(sub.c_str(), 0755), 0);
  const std::string file = sub + "/f";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  const std::string data(64 * 1024, 'x');
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ASSERT_EQ(::fsync(fd), 0);
  ::close(fd);
  EXPECT_GE(DiskUsageBytes(dir) - empty, 64 * 1024);
  EXPECT_EQ(DiskUsageBytes(std::string(dir) + "/missing"), -1);
  ::unlink(file.c_str());
  ::rmdir(sub.c_str());
  ::rmdir(dir);
}

}  // namespace
}  // namespace sluice::bench
