// The named workloads of `sluice bench`. Each creates its own stream (and
// deletes it afterwards), runs, and fills a WorkloadResult.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bench/histogram.h"
#include "bench/load_loop.h"

namespace sluice::bench {

class ServerProcess;

struct BenchConfig {
  Endpoint endpoint;
  std::string stream_prefix = "sluice-bench";
  int connections = 0;          // 0: each workload's default
  double duration_s = 10;       // timed phase of put-records, put-record, e2e
  int64_t records = 1'000'000;  // records loaded (and drained) by get
  int record_size = 100;        // bytes of data per record
  int batch = 500;              // records per PutRecords
  int shards = 1;
  int rate = 1000;          // e2e and push producer, records/s
  int poll_ms = 0;          // e2e reader delay after an empty GetRecords
  int get_limit = 10000;    // GetRecords Limit
  int rss_pid = 0;          // if set, VmRSS of this pid is sampled after get's load
  int subscribers = 0;      // push: SubscribeToShard subscribers; 0: one per shard
  bool same_shard = false;  // push: every subscriber on shard 0 (else round-robin)
  int fanout = 16;          // push-fanout: subscribers of the loaded phase
  // The scale workloads: one phase per count.
  std::vector<int64_t> shard_counts = {1000};   // many-shards: shards of its stream
  std::vector<int64_t> stream_counts = {1000};  // many-streams: streams created
  double scale_timeout_s = 600;                 // each create, walk and restart of a scale workload
  // Where the server keeps its data (disk per shard), if known.
  std::string data_dir;
  // The server, when `sluice bench` started it (--server-bin): restarts are
  // timed, and put-record-durability restarts it in each mode.
  ServerProcess* server = nullptr;
};

struct WorkloadResult {
  bool ran = false;  // false: setup failed, see `failure`
  std::string failure;
  double rate = 0;  // records/s or requests/s
  const char* unit = "records/s";
  double mb_per_s = 0;  // record data (not wire bytes) per second
  Histogram latency;    // nanoseconds; per request, or put->get for e2e
  uint64_t errors = 0;
  std::string note;     // one line of workload-specific detail
  int64_t rss_kb = -1;  // get: server VmRSS after the load, if sampled
  // Further "key value" pairs printed at the end of the line (push:
  // produced, subscribers).
  std::vector<std::pair<std::string, std::string>> fields;
  // A workload measured in phases (push-fanout) reports one line per phase,
  // named <workload>/<label>, instead of a line of its own.
  std::string label;
  std::vector<WorkloadResult> phases;
};

// Returns false if `name` is not a workload.
bool RunWorkload(const std::string& name, const BenchConfig& config, WorkloadResult* result);
bool IsWorkload(const std::string& name);

}  // namespace sluice::bench
