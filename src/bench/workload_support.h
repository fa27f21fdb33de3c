// Pieces shared by the workloads: timing helpers, a stream that lives for
// one workload, and the entry point of each workload (dispatched from
// workloads.cc). Internal to src/bench/.
#pragma once

#include <cstdint>
#include <string>

#include "bench/stream_admin.h"
#include "bench/workloads.h"
#include "util/status.h"

namespace sluice::bench {

constexpr int64_t kSecond = 1'000'000'000;

inline double Seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

// CPU time (user + system) this process spends between construction and
// Percent(), as a share of the wall time: shows whether the load generator,
// rather than the server, was the bottleneck.
class CpuMeter {
 public:
  CpuMeter();
  // "load generator CPU 12.3%"
  std::string Percent() const;

 private:
  int64_t cpu_start_;
  int64_t wall_start_;
};

// VmRSS of a process in kB, or -1 if it cannot be read.
int64_t ReadVmRssKb(int pid);

// Creates the workload's stream (waiting for ACTIVE) on construction and
// deletes it on scope exit. Check ok() before use.
class ScopedStream {
 public:
  // Named <prefix>-<workload>-<pid>-<ms>, with config.shards shards.
  ScopedStream(const BenchConfig& c, const std::string& workload);
  ~ScopedStream();
  ScopedStream(const ScopedStream&) = delete;
  ScopedStream& operator=(const ScopedStream&) = delete;
  bool ok() const { return created_.ok(); }
  const std::string& error() const { return created_.message(); }
  const std::string& name() const { return name_; }
  StreamAdmin& admin() { return admin_; }
  // Consumers were registered: the stream is deleted with them.
  void set_has_consumers() { has_consumers_ = true; }

 private:
  StreamAdmin admin_;
  std::string name_;
  Status created_;
  bool has_consumers_ = false;
};

// The workloads. Each returns false with result->failure set when it could
// not run (setup failed); errors during a run are counted in the result.
bool RunPutRecords(const BenchConfig& c, WorkloadResult* out);
bool RunPutRecord(const BenchConfig& c, WorkloadResult* out);
bool RunGet(const BenchConfig& c, WorkloadResult* out);
bool RunE2e(const BenchConfig& c, WorkloadResult* out);
bool RunPush(const BenchConfig& c, WorkloadResult* out);
bool RunPushFanout(const BenchConfig& c, WorkloadResult* out);
bool RunManyShards(const BenchConfig& c, WorkloadResult* out);
bool RunManyStreams(const BenchConfig& c, WorkloadResult* out);
bool RunPutRecordDurability(const BenchConfig& c, WorkloadResult* out);

}  // namespace sluice::bench
