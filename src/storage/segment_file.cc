#include "storage/segment_file.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string_view>

#include "storage/fd_cache.h"

namespace sluice::storage {
namespace {

// Locking: size_ is written only by the writer; written_end_ changes only
// under extend_mu_, and Append takes extend_mu_ only when it writes past
// written_end_ (or fails), so appends into the padding never wait.
//
// Descriptors: fd_ is the writable descriptor, owned by own_ until
// Release(); the writer's calls use fd_ directly, after checking released_
// (set by Release() before own_ lets go), so a closed descriptor's number,
// which the kernel hands out again, is never written through. Other threads
// (readers, the flusher's Sync) copy own_ under fd_mu_, so a Release()
// meanwhile cannot close a descriptor in use. After
// Release(), reads open the file read-only and share that descriptor through
// cached_ and the FdCache.
class PosixSegmentFile final : public SegmentFile {
 public:
  PosixSegmentFile(Env* env, std::string path, int fd, uint64_t size)
      : env_(env),
        path_(std::move(path)),
        fd_(fd),
        own_(std::make_shared<FdHandle>(fd, env)),
        size_(size),
        written_end_(size) {}
  ~PosixSegmentFile() override {
    std::shared_ptr<FdHandle> cached = cached_.lock();
    if (cached) FdCache::Instance().Drop(cached.get());
  }

  Status Append(const char* data, size_t n) override {
    SLUICE_RETURN_IF_ERROR(CheckWritable("write"));
    const uint64_t pos = size_.load(std::memory_order_relaxed);
    Status s;
    if (pos + n <= written_end_.load(std::memory_order_acquire)) {
      s = env_->Write(fd_, data, n, pos, path_);  // over zero padding
    } else {
      // The write grows the file: PrepareAhead must not be writing zeros
      // there meanwhile.
      std::lock_guard<std::mutex> lock(extend_mu_);
      s = env_->Write(fd_, data, n, pos, path_);
      if (s.ok() && pos + n > written_end_.load(std::memory_order_relaxed)) {
        written_end_.store(pos + n, std::memory_order_release);
      }
    }
    if (!s.ok()) {
      // Leave no partial batch behind for recovery to find.
      std::lock_guard<std::mutex> lock(extend_mu_);
      Status cut = env_->Truncate(fd_, pos, path_);
      if (!cut.ok()) {
        Fail(Status::IoError(s.message() + "; cannot cut " + path_ + " back to " + std::to_string(pos) +
                             " bytes: " + cut.message()));
        return failure_;
      }
      written_end_.store(pos, std::memory_order_release);
      return s;
    }
    size_.store(pos + n, std::memory_order_release);
    return Status::Ok();
  }

  Result<size_t> ReadAt(uint64_t pos, size_t n, char* dst) const override {
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<FdHandle> handle, ReadHandle());
    return env_->Read(handle->fd(), dst, n, pos, path_);
  }

  Result<std::shared_ptr<void>> Pin() const override {
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<FdHandle> handle, ReadHandle());
    return std::shared_ptr<void>(std::move(handle));
  }

  Status Truncate(uint64_t size) override {
    std::lock_guard<std::mutex> lock(extend_mu_);
    SLUICE_RETURN_IF_ERROR(CheckWritable("truncate"));
    return TruncateLocked(size);
  }

  Status Seal() override {
    std::lock_guard<std::mutex> lock(extend_mu_);
    sealed_ = true;
    const uint64_t size = size_.load(std::memory_order_relaxed);
    if (written_end_.load(std::memory_order_relaxed) == size) return Status::Ok();
    SLUICE_RETURN_IF_ERROR(CheckWritable("truncate"));
    return TruncateLocked(size);
  }

  void Release() override {
    std::lock_guard<std::mutex> extend_lock(extend_mu_);  // no padding in progress
    sealed_ = true;
    released_.store(true, std::memory_order_release);
    std::lock_guard<std::mutex> lock(fd_mu_);
    own_.reset();  // closes fd_ once no read or sync is using it
  }

  Status Sync() override {
    // An fdatasync failure seen by PrepareAhead may have been about data
    // pages; the kernel reports it once per file, so repeat it here.
    if (padding_sync_failed_.load(std::memory_order_acquire)) return padding_sync_error_;
    if (failed_.load(std::memory_order_acquire)) return failure_;
    std::shared_ptr<FdHandle> own;
    {
      std::lock_guard<std::mutex> lock(fd_mu_);
      own = own_;
    }
    // Released: the roll that released it synced it first.
    if (own == nullptr) return Status::Ok();
    return env_->Sync(own->fd(), path_);
  }

  Status PrepareAhead(uint64_t max_size) override {
    std::lock_guard<std::mutex> lock(extend_mu_);
    if (sealed_ || padding_failed_) return Status::Ok();
    const uint64_t end = written_end_.load(std::memory_order_relaxed);
    const uint64_t size = size_.load(std::memory_order_acquire);
    const uint64_t chunk = std::clamp(end, kMinPaddingChunkBytes, kMaxPaddingChunkBytes);
    // An empty segment gets no padding: a stream created with many shards
    // that are never written to must not cost a megabyte of zeros each. The
    // first sync of a segment grows the file; the flusher pads after it.
    if (end == 0) return Status::Ok();
    if (end >= max_size || (end > size && end - size >= chunk / 2)) return Status::Ok();
    const uint64_t target = std::min(end + chunk, max_size);
    static const char kZeros[1 << 20] = {};
    for (uint64_t pos = end; pos < target;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof(kZeros), target - pos));
      Status s = env_->Write(fd_, kZeros, n, pos, path_);
      if (!s.ok()) {
        padding_failed_ = true;  // e.g. a full disk: appends grow the file instead
        (void)env_->Truncate(fd_, end, path_);
        return s;
      }
      pos += n;
    }
    if (Status synced = env_->Sync(fd_, path_); !synced.ok()) {
      padding_failed_ = true;
      padding_sync_error_ = std::move(synced);
      padding_sync_failed_.store(true, std::memory_order_release);
      return padding_sync_error_;
    }
    written_end_.store(target, std::memory_order_release);
    return Status::Ok();
  }

  uint64_t Size() const override { return size_.load(std::memory_order_relaxed); }
  uint64_t PhysicalSize() const override { return written_end_.load(std::memory_order_acquire); }
  const std::string& path() const override { return path_; }
  bool Failed() const override { return failed_.load(std::memory_order_acquire); }

 private:
  // IoError naming the file when fd_ must not be used for `what`: it was
  // released (and may now be another file's number), or an append left a
  // partial batch that could not be cut.
  Status CheckWritable(std::string_view what) const {
    if (failed_.load(std::memory_order_acquire)) return failure_;
    if (released_.load(std::memory_order_acquire)) {
      return Status::IoError(std::string(what) + " " + path_ + ": the segment is sealed and its descriptor released");
    }
    return Status::Ok();
  }
  // Caller holds extend_mu_ (the writer's only other lock-free path, Append,
  // reads failure_ only after seeing failed_).
  void Fail(Status status) {
    failure_ = std::move(status);
    failed_.store(true, std::memory_order_release);
  }

  Status TruncateLocked(uint64_t size) {
    SLUICE_RETURN_IF_ERROR(env_->Truncate(fd_, size, path_));
    size_.store(size, std::memory_order_release);
    written_end_.store(size, std::memory_order_release);
    return Status::Ok();
  }

  // The descriptor to read with: the writable one until Release(), then a
  // read-only one shared through the FdCache (opened when none is open).
  Result<std::shared_ptr<FdHandle>> ReadHandle() const {
    std::shared_ptr<FdHandle> handle;
    {
      std::lock_guard<std::mutex> lock(fd_mu_);
      if (own_) return own_;
      handle = cached_.lock();
    }
    if (handle == nullptr) {
      auto fd = env_->Open(path_, OpenMode::kRead);
      if (!fd.ok()) return Status::IoError(fd.status().message());  // removed: an I/O error
      auto opened = std::make_shared<FdHandle>(*fd, env_);
      std::lock_guard<std::mutex> lock(fd_mu_);
      handle = cached_.lock();  // another reader may have opened it meanwhile
      if (handle == nullptr) {
        cached_ = opened;
        handle = std::move(opened);
      }
    }
    FdCache::Instance().Use(handle);
    return handle;
  }

  Env* const env_;
  const std::string path_;
  const int fd_;  // writable; open while own_ (or a reader's copy of it) lives
  mutable std::mutex fd_mu_;
  std::shared_ptr<FdHandle> own_;           // guarded by fd_mu_
  mutable std::weak_ptr<FdHandle> cached_;  // guarded by fd_mu_
  std::atomic<uint64_t> size_;              // logical: end of the data
  std::atomic<uint64_t> written_end_;       // physical: end of data and zero padding
  std::mutex extend_mu_;
  bool sealed_ = false;          // guarded by extend_mu_
  bool padding_failed_ = false;  // guarded by extend_mu_
  Status padding_sync_error_;    // set before padding_sync_failed_
  std::atomic<bool> padding_sync_failed_{false};
  std::atomic<bool> released_{false};  // Release() ran: fd_ is closed or closing
  Status failure_;                     // set once, before failed_
  std::atomic<bool> failed_{false};
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
  Status Seal() override { return Status::Ok(); }
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

Result<std::unique_ptr<SegmentFile>> OpenPosixSegmentFile(const std::string& path, Env* env) {
  SLUICE_ASSIGN_OR_RETURN(int fd, env->Open(path, OpenMode::kReadWrite));
  auto size = env->Size(fd, path);
  if (!size.ok()) {
    env->Close(fd);
    return size.status();
  }
  return std::unique_ptr<SegmentFile>(new PosixSegmentFile(env, path, fd, *size));
}

std::unique_ptr<SegmentFile> NewMemorySegmentFile() { return std::make_unique<MemorySegmentFile>(); }

}  // namespace sluice::storage
