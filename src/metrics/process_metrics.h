// The standard `process_*` families every Prometheus client library exports
// on Linux, read as they read them: CPU time, virtual and resident memory and
// start time from /proc/self/stat (the boot time from /proc/stat), open
// descriptors by listing /proc/self/fd, their limit from getrlimit.
//
//   process_cpu_seconds_total       user + system CPU time
//   process_resident_memory_bytes   resident set size
//   process_virtual_memory_bytes    virtual memory size
//   process_open_fds                open file descriptors
//   process_max_fds                 the soft RLIMIT_NOFILE
//   process_start_time_seconds      start time since the Unix epoch
//
// Reading is a few small file reads per scrape; nothing is kept between them.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "metrics/exposition.h"

namespace sluice::metrics {

struct ProcessStats {
  double cpu_seconds = 0;
  uint64_t resident_bytes = 0;
  uint64_t virtual_bytes = 0;
  double start_time_seconds = 0;
  int64_t open_fds = 0;
  uint64_t max_fds = 0;
};

// The fields of ProcessStats that /proc/self/stat gives (`stat`: its text),
// given the clock ticks per second, the page size and the boot time in
// seconds since the epoch. Empty when `stat` is not in its format. The
// command name in parentheses may itself hold spaces and parentheses.
std::optional<ProcessStats> ParseProcStat(std::string_view stat, int64_t ticks_per_second, int64_t page_size,
                                          int64_t boot_time_seconds);

// The `btime` line of /proc/stat (`text`): the boot time in seconds since
// the epoch; empty when absent.
std::optional<int64_t> ParseBootTime(std::string_view text);

// This process's stats now; empty when /proc cannot be read (then the
// families are left out of the scrape rather than reported as zero).
std::optional<ProcessStats> ReadProcessStats();

// Adds the process_* families above to `out`.
void AddProcessMetrics(const ProcessStats& stats, Exposition& out);

}  // namespace sluice::metrics
