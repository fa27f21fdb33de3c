// DataDirLock: at most one sluice process per data directory.
//
// Two servers on one directory would both acknowledge writes and overwrite
// each other's segments and metadata. Like leveldb's LOCK file, the process
// holds an exclusive flock(2) on <data dir>/LOCK for as long as it serves;
// the kernel drops the lock when the process exits, however it exits (kill -9
// included), so a stale file never blocks a restart. The file holds the
// holder's pid (decimal, newline) so that a second process can name it; the
// file itself stays behind.
//
// Threading: none; taken once at start-up, before anything in the directory
// is read or written.
#pragma once

#include <string>

#include "util/status.h"

namespace sluice::cli {

class DataDirLock {
 public:
  // Creates `data_dir` if needed, then opens and locks `<data_dir>/LOCK`
  // without waiting. Errors: ResourceInUse when another process holds it
  // ("data directory D is in use by another sluice process (pid P)"; the pid
  // is left out when the file does not hold one); IoError when the directory
  // or file cannot be made or locked.
  static Result<DataDirLock> Acquire(const std::string& data_dir);

  DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DataDirLock& operator=(DataDirLock&&) = delete;
  DataDirLock(const DataDirLock&) = delete;
  ~DataDirLock();  // releases the lock

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace sluice::cli
