// Env: the file system as the storage layer uses it, one virtual call per
// system call it makes (after leveldb's Env). Production uses Env::Default(),
// the POSIX implementation; tests substitute one that injects failures or
// simulates a power loss (storage/testing/fault_injection_env.h).
//
// Files are plain descriptors, as the kernel hands them out: a log's segment
// shares one between its writer, its readers and the process-wide FdCache,
// which counts descriptors. An Env only adds the calls made on them, so a
// write or a sync costs one virtual call more than the system call and no
// copy.
//
// Errors: every call reports failure as IoError naming the operation, the
// path and the errno text ("write <path>: No space left on device"), except
// where noted. Reads and writes retry EINTR and short transfers.
//
// Threading: implementations are thread-safe; calls on one descriptor follow
// the rules of the system calls they stand for (pread/pwrite at distinct
// positions may run concurrently).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace sluice::storage {

enum class OpenMode {
  kRead,       // read-only; NotFound (kResourceNotFound) when the file is missing
  kReadWrite,  // read and write at any position; created (empty) when missing
  kTruncate,   // write-only; created when missing, emptied when present
};

class Env {
 public:
  virtual ~Env() = default;

  // The POSIX implementation; never destroyed.
  static Env* Default();

  // ---- Files, by descriptor ----
  // Opens `path`; the caller owns the descriptor and gives it back with Close().
  virtual Result<int> Open(const std::string& path, OpenMode mode) = 0;
  // Closes a descriptor from Open(). Errors are ignored (the data's fate was
  // decided by the last Sync()).
  virtual void Close(int fd) = 0;
  // Writes all `n` bytes at position `pos`. On failure part of them may have
  // been written. `path` names the file in messages (and for test Envs).
  virtual Status Write(int fd, const char* data, size_t n, uint64_t pos, const std::string& path) = 0;
  // Reads up to `n` bytes at `pos`; returns how many were read (short only at EOF).
  virtual Result<size_t> Read(int fd, char* dst, size_t n, uint64_t pos, const std::string& path) const = 0;
  // Makes the file's data durable (fdatasync). After a failure the state of
  // the unsynced data is unknown, and a later Sync may succeed falsely.
  virtual Status Sync(int fd, const std::string& path) = 0;
  // Sets the file's size to `size` (ftruncate).
  virtual Status Truncate(int fd, uint64_t size, const std::string& path) = 0;
  // The file's size in bytes (fstat).
  virtual Result<uint64_t> Size(int fd, const std::string& path) const = 0;

  // ---- Names and directories ----
  // Creates `dir` and any missing parents.
  virtual Status CreateDirs(const std::string& dir) = 0;
  // fsyncs a directory, so entries created, renamed or removed in it survive
  // a crash.
  virtual Status SyncDir(const std::string& dir) = 0;
  // Names (not paths) of the entries in `dir`, unsorted; "." and ".." omitted.
  // NotFound (kResourceNotFound) when `dir` does not exist.
  virtual Result<std::vector<std::string>> ListDir(const std::string& dir) const = 0;
  // Renames `from` over `to` atomically (rename(2)); durable once the
  // directory is synced.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Removes a file; OK if it does not exist.
  virtual Status RemoveFile(const std::string& path) = 0;
  // Removes `path` and everything below it; OK if it does not exist.
  virtual Status RemoveAll(const std::string& path) = 0;

  // ---- Whole small files, built on the calls above ----
  // Reads a whole file; NotFound (kResourceNotFound) when it does not exist.
  Result<std::string> ReadFile(const std::string& path);
  // Writes `contents` to `path` (created or emptied), fsyncing it if `sync`.
  Status WriteFile(const std::string& path, std::string_view contents, bool sync);
};

}  // namespace sluice::storage
