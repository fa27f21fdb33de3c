#include "metrics/process_metrics.h"

#include <fcntl.h>
#include <unistd.h>

#include <ctime>

#include <gtest/gtest.h>

namespace sluice::metrics {
namespace {

// A line of /proc/<pid>/stat as proc(5) lays it out, with a command name that holds a space and
// parentheses: utime 250, stime 150, starttime 1000 ticks, vsize 8 MiB, rss 300 pages.
constexpr std::string_view kStat =
    "4242 (sl (u) ice) S 1 4242 4242 0 -1 4194560 1234 0 0 0 250 150 0 0 20 0 9 0 1000 8388608 300 "
    "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcessMetricsTest, ParsesTheFieldsOfProcSelfStat) {
  const std::optional<ProcessStats> stats = ParseProcStat(kStat, 100, 4096, 1700000000);
  ASSERT_TRUE(stats);
  EXPECT_DOUBLE_EQ(stats->cpu_seconds, 4.0);
  EXPECT_DOUBLE_EQ(stats->start_time_seconds, 1700000010.0);
  EXPECT_EQ(stats->virtual_bytes, 8388608u);
  EXPECT_EQ(stats->resident_bytes, 300u * 4096u);
}

TEST(ProcessMetricsTest, TruncatedOrMalformedStatIsRefused) {
  EXPECT_FALSE(ParseProcStat("4242 (sluice) S 1 2 3", 100, 4096, 0));
  EXPECT_FALSE(ParseProcStat("no parenthesis at all", 100, 4096, 0));
  std::string bad(kStat);
  bad.replace(bad.find(" 250 "), 5, " 2x0 ");
  EXPECT_FALSE(ParseProcStat(bad, 100, 4096, 0));
}

TEST(ProcessMetricsTest, BootTimeIsTheBtimeLine) {
  EXPECT_EQ(ParseBootTime("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n"), 1700000000);
  EXPECT_FALSE(ParseBootTime("cpu  1 2 3\n"));
}

TEST(ProcessMetricsTest, ReadsThisProcessAndCountsADescriptorItOpens) {
  const std::optional<ProcessStats> before = ReadProcessStats();
  ASSERT_TRUE(before);
  EXPECT_GT(before->resident_bytes, 0u);
  EXPECT_GE(before->virtual_bytes, before->resident_bytes);
  EXPECT_GT(before->max_fds, 0u);
  const double now = static_cast<double>(std::time(nullptr));
  EXPECT_LE(before->start_time_seconds, now + 1);
  EXPECT_GT(before->start_time_seconds, now - 3600);
  const int fd = open("/proc/self/stat", O_RDONLY);
  ASSERT_GE(fd, 0);
  const std::optional<ProcessStats> after = ReadProcessStats();
  close(fd);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->open_fds, before->open_fds + 1);
}

TEST(ProcessMetricsTest, FamiliesHaveThePrometheusNamesAndTypes) {
  ProcessStats stats;
  stats.cpu_seconds = 1.25;
  stats.resident_bytes = 4096;
  stats.virtual_bytes = 8192;
  stats.open_fds = 12;
  stats.max_fds = 1024;
  stats.start_time_seconds = 1700000010.5;
  Exposition out;
  AddProcessMetrics(stats, out);
  EXPECT_EQ(out.Render(),
            "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
            "# TYPE process_cpu_seconds_total counter\n"
            "process_cpu_seconds_total 1.25\n"
            "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
            "# TYPE process_resident_memory_bytes gauge\n"
            "process_resident_memory_bytes 4096\n"
            "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
            "# TYPE process_virtual_memory_bytes gauge\n"
            "process_virtual_memory_bytes 8192\n"
            "# HELP process_open_fds Number of open file descriptors.\n"
            "# TYPE process_open_fds gauge\n"
            "process_open_fds 12\n"
            "# HELP process_max_fds Maximum number of open file descriptors.\n"
            "# TYPE process_max_fds gauge\n"
            "process_max_fds 1024\n"
            "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
            "# TYPE process_start_time_seconds gauge\n"
            "process_start_time_seconds 1700000010.5\n");
}

}  // namespace
}  // namespace sluice::metrics
