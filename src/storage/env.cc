#include "storage/env.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "storage/file_util.h"

namespace sluice::storage {
namespace {

Status Errno(std::string_view what, const std::string& path, int err) {
  return Status::IoError(std::string(what) + " " + path + ": " + std::strerror(err));
}

// The system calls themselves (file_util.h has the retrying helpers).
class PosixEnv final : public Env {
 public:
  Result<int> Open(const std::string& path, OpenMode mode) override {
    int flags = O_CLOEXEC;
    switch (mode) {
      case OpenMode::kRead: flags |= O_RDONLY; break;
      case OpenMode::kReadWrite: flags |= O_RDWR | O_CREAT; break;
      case OpenMode::kTruncate: flags |= O_WRONLY | O_CREAT | O_TRUNC; break;
    }
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd >= 0) return fd;
    if (errno == ENOENT && mode == OpenMode::kRead) {
      return Status::NotFound(path + " does not exist");
    }
    return Errno(mode == OpenMode::kTruncate ? "create" : "open", path, errno);
  }

  void Close(int fd) override { ::close(fd); }

  Status Write(int fd, const char* data, size_t n, uint64_t pos, const std::string& path) override {
    return file::PwriteAll(fd, data, n, pos, path);
  }

  Result<size_t> Read(int fd, char* dst, size_t n, uint64_t pos, const std::string& path) const override {
    return file::PreadAll(fd, dst, n, pos, path);
  }

  Status Sync(int fd, const std::string& path) override {
    if (::fdatasync(fd) != 0) return Errno("fdatasync", path, errno);
    return Status::Ok();
  }

  Status Truncate(int fd, uint64_t size, const std::string& path) override {
    if (::ftruncate(fd, static_cast<off_t>(size)) != 0) return Errno("truncate", path, errno);
    return Status::Ok();
  }

  Result<uint64_t> Size(int fd, const std::string& path) const override {
    struct stat st;
    if (::fstat(fd, &st) != 0) return Errno("stat", path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Status CreateDirs(const std::string& dir) override { return file::CreateDirs(dir); }
  Status SyncDir(const std::string& dir) override { return file::SyncDir(dir); }
  Result<std::vector<std::string>> ListDir(const std::string& dir) const override { return file::ListDir(dir); }

  Status Rename(const std::string& from, const std::string& to) override {
    if (std::rename(from.c_str(), to.c_str()) != 0) {
      return Status::IoError("rename " + from + " to " + to + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }

  Status RemoveFile(const std::string& path) override { return file::RemoveFile(path); }
  Status RemoveAll(const std::string& path) override { return file::RemoveAll(path); }
};

}  // namespace

Env* Env::Default() {
  static Env* env = new PosixEnv();  // never destroyed: used until exit
  return env;
}

Result<std::string> Env::ReadFile(const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(int fd, Open(path, OpenMode::kRead));
  auto size = Size(fd, path);
  if (!size.ok()) {
    Close(fd);
    return size.status();
  }
  std::string out(static_cast<size_t>(*size), '\0');
  auto n = Read(fd, out.data(), out.size(), 0, path);
  Close(fd);
  if (!n.ok()) return n.status();
  out.resize(*n);
  return out;
}

Status Env::WriteFile(const std::string& path, std::string_view contents, bool sync) {
  SLUICE_ASSIGN_OR_RETURN(int fd, Open(path, OpenMode::kTruncate));
  Status s = Write(fd, contents.data(), contents.size(), 0, path);
  if (s.ok() && sync) s = Sync(fd, path);
  Close(fd);
  return s;
}

}  // namespace sluice::storage
