// What `sluice bench` can see of, and do to, the server it measures: the
// scale workloads report memory, descriptors and disk per shard and the time
// a restart takes, which need the server's process and data directory.
//
// ServerProcess runs `<bin> serve --host <ip> --port <port> --data-dir <dir>
// <args...>` as a child (its stdout and stderr appended to a log file beside
// the data directory, <dir>.log), so that a workload can stop and restart it.
// Without one (--endpoint only), the probes below still work on a pid and a
// directory given by flags.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/load_loop.h"
#include "util/status.h"

namespace sluice::bench {

class ServerProcess {
 public:
  // Nothing runs until Start().
  ServerProcess(std::string bin, std::string data_dir, std::vector<std::string> args, const Endpoint& endpoint);
  // Stops the server if it runs.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts the server with the constructor's args followed by `extra_args`
  // and waits until GET /health answers 200: the nanoseconds that took.
  // TimedOut after `timeout_ns` (the server is then killed), IoError if it
  // exits first or cannot be started.
  Result<int64_t> Start(const std::vector<std::string>& extra_args, int64_t timeout_ns);
  // SIGTERM, then SIGKILL if it has not exited after `timeout_ns`. OK if
  // nothing runs.
  Status Stop(int64_t timeout_ns);

  pid_t pid() const { return pid_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& log_path() const { return log_path_; }

 private:
  std::string bin_;
  std::string data_dir_;
  std::string log_path_;
  std::vector<std::string> args_;
  Endpoint endpoint_;
  pid_t pid_ = -1;
};

// Open descriptors of process `pid` (entries of /proc/<pid>/fd), or -1 if
// they cannot be listed.
int64_t CountOpenDescriptors(int pid);

// Bytes the files under `dir` take on disk (allocated blocks, as du counts
// them), or -1 if `dir` cannot be walked.
int64_t DiskUsageBytes(const std::string& dir);

}  // namespace sluice::bench
