#include "metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string>

namespace sluice::metrics {
namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Whitespace-separated fields after the command name: the first is field 3
// (state) of proc(5).
bool NextField(std::string_view& rest, std::string_view* field) {
  const size_t start = rest.find_first_not_of(" \n");
  if (start == std::string_view::npos) return false;
  rest.remove_prefix(start);
  const size_t end = std::min(rest.find_first_of(" \n"), rest.size());
  *field = rest.substr(0, end);
  rest.remove_prefix(end);
  return true;
}

bool ToInt(std::string_view text, int64_t* value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

int64_t CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  int64_t n = 0;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the directory's own descriptor, open while listing
}

}  // namespace

std::optional<ProcessStats> ParseProcStat(std::string_view stat, int64_t ticks_per_second, int64_t page_size,
                                          int64_t boot_time_seconds) {
  // "pid (comm) state ppid ...": the name ends at the last ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  std::string_view rest = stat.substr(close + 1);
  // proc(5) numbers fields from 1; utime is 14, stime 15, starttime 22, vsize 23, rss 24.
  int64_t utime = 0, stime = 0, start = 0, vsize = 0, rss = 0;
  std::string_view field;
  for (int n = 3; n <= 24; ++n) {
    if (!NextField(rest, &field)) return std::nullopt;
    int64_t* target = n == 14   ? &utime
                      : n == 15 ? &stime
                      : n == 22 ? &start
                      : n == 23 ? &vsize
                      : n == 24 ? &rss
                                : nullptr;
    if (target && !ToInt(field, target)) return std::nullopt;
  }
  ProcessStats stats;
  stats.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(ticks_per_second);
  stats.start_time_seconds =
      static_cast<double>(boot_time_seconds) + static_cast<double>(start) / static_cast<double>(ticks_per_second);
  stats.virtual_bytes = static_cast<uint64_t>(vsize);
  stats.resident_bytes = static_cast<uint64_t>(rss) * static_cast<uint64_t>(page_size);
  return stats;
}

std::optional<int64_t> ParseBootTime(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (!line.starts_with("btime ")) continue;
    int64_t value = 0;
    if (ToInt(line.substr(6), &value)) return value;
  }
  return std::nullopt;
}

std::optional<ProcessStats> ReadProcessStats() {
  const std::optional<int64_t> boot = ParseBootTime(ReadFile("/proc/stat"));
  if (!boot) return std::nullopt;
  std::optional<ProcessStats> stats =
      ParseProcStat(ReadFile("/proc/self/stat"), sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE), *boot);
  if (!stats) return std::nullopt;
  stats->open_fds = CountOpenFds();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
    stats->max_fds = static_cast<uint64_t>(limit.rlim_cur);
  }
  return stats;
}

void AddProcessMetrics(const ProcessStats& stats, Exposition& out) {
  out.Declare("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", MetricType::kCounter)
      .Add({}, stats.cpu_seconds);
  out.Declare("process_resident_memory_bytes", "Resident memory size in bytes.", MetricType::kGauge)
      .Add({}, stats.resident_bytes);
  out.Declare("process_virtual_memory_bytes", "Virtual memory size in bytes.", MetricType::kGauge)
      .Add({}, stats.virtual_bytes);
  out.Declare("process_open_fds", "Number of open file descriptors.", MetricType::kGauge).Add({}, stats.open_fds);
  out.Declare("process_max_fds", "Maximum number of open file descriptors.", MetricType::kGauge).Add({}, stats.max_fds);
  out.Declare("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
              MetricType::kGauge)
      .Add({}, stats.start_time_seconds);
}

}  // namespace sluice::metrics
