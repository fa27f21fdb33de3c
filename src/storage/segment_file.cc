#include "storage/segment_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "storage/file_util.h"

namespace sluice::storage {
namespace {

class PosixSegmentFile final : public SegmentFile {
 public:
  PosixSegmentFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixSegmentFile() override { ::close(fd_); }

  Status Append(const char* data, size_t n) override {
    Status s = file::PwriteAll(fd_, data, n, size_, path_);
    if (!s.ok()) {
      // Leave no partial batch behind for recovery to find.
      (void)::ftruncate(fd_, static_cast<off_t>(size_));
      return s;
    }
    size_ += n;
    return Status::Ok();
  }

  Result<size_t> ReadAt(uint64_t pos, size_t n, char* dst) const override {
    return file::PreadAll(fd_, dst, n, pos, path_);
  }

  Status Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      return Status::IoError("truncate " + path_ + ": " + std::strerror(errno));
    }
    size_ = size;
    return Status::Ok();
  }

  Status Sync() override {
    if (::fdatasync(fd_) != 0) {
      return Status::IoError("fdatasync " + path_ + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }

  uint64_t Size() const override { return size_; }
  const std::string& path() const override { return path_; }

 private:
  const std::string path_;
  const int fd_;
  uint64_t size_;  // writer-owned
};

// Memory segments are for throwaway runs; a mutex around a growing string is
// simple and fast enough (reads copy under it).
class MemorySegmentFile final : public SegmentFile {
 public:
  Status Append(const char* data, size_t n) override {
    std::lock_guard<std::mutex> lock(mu_);
    bytes_.append(data, n);
    return Status::Ok();
  }
  Result<size_t> ReadAt(uint64_t pos, size_t n, char* dst) const override {
    std::lock_guard<std::mutex> lock(mu_);
    if (pos >= bytes_.size()) return size_t{0};
    size_t count = std::min<size_t>(n, bytes_.size() - pos);
    std::memcpy(dst, bytes_.data() + pos, count);
    return count;
  }
  Status Truncate(uint64_t size) override {
    std::lock_guard<std::mutex> lock(mu_);
    bytes_.resize(size);
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }
  uint64_t Size() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return bytes_.size();
  }
  const std::string& path() const override { return path_; }

 private:
  mutable std::mutex mu_;
  std::string bytes_;
  const std::string path_;
};

}  // namespace

Result<std::unique_ptr<SegmentFile>> OpenPosixSegmentFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IoError("open " + path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    return Status::IoError("stat " + path + ": " + std::strerror(err));
  }
  return std::unique_ptr<SegmentFile>(
      new PosixSegmentFile(path, fd, static_cast<uint64_t>(st.st_size)));
}

std::unique_ptr<SegmentFile> NewMemorySegmentFile() {
  return std::make_unique<MemorySegmentFile>();
}

}  // namespace sluice::storage
