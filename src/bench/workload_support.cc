#include "bench/workload_support.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "util/clock.h"

namespace sluice::bench {
namespace {

constexpr int64_t kCreateTimeoutNs = 60 * kSecond;

int64_t CpuNanos() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return (int64_t{ru.ru_utime.tv_sec} + ru.ru_stime.tv_sec) * kSecond +
         (int64_t{ru.ru_utime.tv_usec} + ru.ru_stime.tv_usec) * 1000;
}

std::string StreamName(const BenchConfig& c, const std::string& workload) {
  return c.stream_prefix + "-" + workload + "-" + std::to_string(::getpid()) + "-" +
         std::to_string(SystemClock::Instance().NowMillis());
}

}  // namespace

CpuMeter::CpuMeter() : cpu_start_(CpuNanos()), wall_start_(MonotonicNanos()) {}

std::string CpuMeter::Percent() const {
  const int64_t wall = MonotonicNanos() - wall_start_;
  const double pct = wall > 0 ? 100.0 * static_cast<double>(CpuNanos() - cpu_start_) / wall : 0;
  char buf[48];
  std::snprintf(buf, sizeof(buf), "load generator CPU %.1f%%", pct);
  return buf;
}

int64_t ReadVmRssKb(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoll(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

ScopedStream::ScopedStream(const BenchConfig& c, const std::string& workload)
    : admin_(c.endpoint), name_(StreamName(c, workload)) {
  created_ = admin_.CreateAndWait(name_, c.shards, kCreateTimeoutNs);
}

ScopedStream::~ScopedStream() {
  // Best effort: a stream left behind costs the server a little space, and
  // the workload's figures are already taken.
  if (created_.ok()) (void)admin_.Delete(name_, has_consumers_);
}

}  // namespace sluice::bench
