// Thin POSIX file helpers, beneath the storage layer's Env (env.h). Every function retries on
// EINTR and short transfers and reports failures as IoError naming the path
// and errno text. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace sluice::storage::file {

// Creates `dir` and any missing parents.
Status CreateDirs(const std::string& dir);
// fsyncs a directory, so entries created or renamed in it survive a crash.
Status SyncDir(const std::string& dir);
// Names (not paths) of the entries in `dir`, unsorted; "." and ".." omitted.
Result<std::vector<std::string>> ListDir(const std::string& dir);
// Removes `path` and everything below it; OK if it does not exist.
Status RemoveAll(const std::string& path);
// Removes a file; OK if it does not exist.
Status RemoveFile(const std::string& path);

// Writes all `n` bytes at file position `pos`.
Status PwriteAll(int fd, const char* data, size_t n, uint64_t pos, const std::string& path);
// Reads up to `n` bytes at `pos`; returns how many were read (short only at EOF).
Result<size_t> PreadAll(int fd, char* dst, size_t n, uint64_t pos, const std::string& path);

}  // namespace sluice::storage::file
