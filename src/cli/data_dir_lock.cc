#include "cli/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "storage/file_util.h"

namespace sluice::cli {
namespace {

// The pid the holder wrote, or "" when the file holds none (yet).
std::string ReadHolderPid(int fd) {
  char buffer[32];
  ssize_t n = pread(fd, buffer, sizeof(buffer) - 1, 0);
  if (n <= 0) return "";
  std::string text(buffer, static_cast<size_t>(n));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) return "";
  return text;
}

}  // namespace

Result<DataDirLock> DataDirLock::Acquire(const std::string& data_dir) {
  std::error_code ec;
  const bool existed = std::filesystem::exists(data_dir, ec);
  SLUICE_RETURN_IF_ERROR(storage::file::CreateDirs(data_dir));
  if (!existed) {
    // A new directory's own entry must be durable, as the engine would make it.
    auto parent = std::filesystem::absolute(data_dir, ec).lexically_normal().parent_path();
    if (!ec) SLUICE_RETURN_IF_ERROR(storage::file::SyncDir(parent.string()));
  }
  const std::string path = data_dir + "/LOCK";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int error = errno;
    if (error == EWOULDBLOCK) {
      std::string pid = ReadHolderPid(fd);
      ::close(fd);
      return Status::InUse(fmt::format("data directory {} is in use by another sluice process{}", data_dir,
                                       pid.empty() ? "" : fmt::format(" (pid {})", pid)));
    }
    ::close(fd);
    return Status::IoError(fmt::format("cannot lock {}: {}", path, std::strerror(error)));
  }
  // Ours now: replace whatever pid an earlier holder left.
  std::string pid = fmt::format("{}\n", getpid());
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    int error = errno;
    ::close(fd);
    return Status::IoError(fmt::format("cannot write {}: {}", path, std::strerror(error)));
  }
  return DataDirLock(fd);
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace sluice::cli
