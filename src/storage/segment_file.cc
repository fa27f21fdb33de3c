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
// Descriptors: handle_ is the one descriptor the file has open, if any
// (read-write until Release(), then read-only). The FdCache owns it and may
// close it; every operation takes a reference (Handle()) for as long as it
// uses the number, so a descriptor is closed only when no call is using it,
// and its number, which the kernel hands out again, is never used after.
// unsynced_ keeps the written descriptor open until a Sync() covers the
// writes (hold_until_synced_). Lock order: extend_mu_, fd_mu_, the FdCache's.
class PosixSegmentFile final : public SegmentFile {
 public:
  PosixSegmentFile(Env* env, std::string path, int fd, uint64_t size, bool hold_until_synced)
      : env_(env), path_(std::move(path)), hold_until_synced_(hold_until_synced), size_(size), written_end_(size) {
    auto handle = std::make_shared<FdHandle>(fd, env);
    std::lock_guard<std::mutex> lock(fd_mu_);
    handle_ = handle;
    FdCache::Instance().Use(handle);
  }
  ~PosixSegmentFile() override {
    std::lock_guard<std::mutex> lock(fd_mu_);
    unsynced_.reset();
    std::shared_ptr<FdHandle> handle = handle_.lock();
    if (handle) FdCache::Instance().Drop(handle.get());
  }

  Status Append(const char* data, size_t n) override {
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<FdHandle> handle, WriteHandle("write"));
    const int fd = handle->fd();
    const uint64_t pos = size_.load(std::memory_order_relaxed);
    Status s;
    if (pos + n <= written_end_.load(std::memory_order_acquire)) {
      s = env_->Write(fd, data, n, pos, path_);  // over zero padding
    } else {
      // The write grows the file: PrepareAhead must not be writing zeros
      // there meanwhile.
      std::lock_guard<std::mutex> lock(extend_mu_);
      s = env_->Write(fd, data, n, pos, path_);
      if (s.ok() && pos + n > written_end_.load(std::memory_order_relaxed)) {
        written_end_.store(pos + n, std::memory_order_release);
      }
    }
    NoteChange(handle);
    if (!s.ok()) {
      // Leave no partial batch behind for recovery to find.
      std::lock_guard<std::mutex> lock(extend_mu_);
      Status cut = env_->Truncate(fd, pos, path_);
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
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<FdHandle> handle, Handle());
    return env_->Read(handle->fd(), dst, n, pos, path_);
  }

  Result<std::shared_ptr<void>> Pin() const override {
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<FdHandle> handle, Handle());
    return std::shared_ptr<void>(std::move(handle));
  }

  Status Truncate(uint64_t size) override {
    std::lock_guard<std::mutex> lock(extend_mu_);
    return TruncateLocked(size);
  }

  Status Seal() override {
    std::lock_guard<std::mutex> lock(extend_mu_);
    sealed_ = true;
    return CutPaddingLocked();
  }

  Status CutPadding() override {
    std::lock_guard<std::mutex> lock(extend_mu_);
    return CutPaddingLocked();
  }

  void Release() override {
    std::lock_guard<std::mutex> extend_lock(extend_mu_);  // no padding in progress
    sealed_ = true;
    released_.store(true, std::memory_order_release);
    std::lock_guard<std::mutex> lock(fd_mu_);
    unsynced_.reset();
    std::shared_ptr<FdHandle> handle = handle_.lock();
    handle_.reset();
    // Closes once no read or sync is using it; reads open the file read-only.
    if (handle) FdCache::Instance().Drop(handle.get());
  }

  Status Sync() override {
    // An fdatasync failure seen by PrepareAhead may have been about data
    // pages; the kernel reports it once per file, so repeat it here.
    if (padding_sync_failed_.load(std::memory_order_acquire)) return padding_sync_error_;
    if (failed_.load(std::memory_order_acquire)) return failure_;
    // Released: the roll that released it synced it first.
    if (released_.load(std::memory_order_acquire)) return Status::Ok();
    const uint64_t changes = changes_.load(std::memory_order_acquire);
    std::shared_ptr<FdHandle> handle;
    {
      std::lock_guard<std::mutex> lock(fd_mu_);
      handle = handle_.lock();
      // Writes not yet synced hold the descriptor open: none is open, none
      // is waiting.
      if (handle == nullptr && hold_until_synced_) return Status::Ok();
    }
    if (handle == nullptr) {
      SLUICE_ASSIGN_OR_RETURN(handle, Handle());
    }
    SLUICE_RETURN_IF_ERROR(env_->Sync(handle->fd(), path_));
    std::lock_guard<std::mutex> lock(fd_mu_);
    if (changes_.load(std::memory_order_acquire) == changes) unsynced_.reset();
    return Status::Ok();
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
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<FdHandle> handle, WriteHandle("pad"));
    const int fd = handle->fd();
    const uint64_t target = std::min(end + chunk, max_size);
    static const char kZeros[1 << 20] = {};
    for (uint64_t pos = end; pos < target;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(sizeof(kZeros), target - pos));
      Status s = env_->Write(fd, kZeros, n, pos, path_);
      if (!s.ok()) {
        padding_failed_ = true;  // e.g. a full disk: appends grow the file instead
        (void)env_->Truncate(fd, end, path_);
        return s;
      }
      pos += n;
    }
    if (Status synced = env_->Sync(fd, path_); !synced.ok()) {
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
  // IoError naming the file when it must not be written for `what`: it was
  // released (sealed, and its writable descriptor closed), or an append left
  // a partial batch that could not be cut.
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

  // Caller holds extend_mu_.
  Status TruncateLocked(uint64_t size) {
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<FdHandle> handle, WriteHandle("truncate"));
    // Held open until synced like a write, so that the Sync() whoever needs
    // the cut durable makes at once (a roll, a close, an idle cut, recovery
    // cutting a batch) finds the descriptor and does not skip it.
    SLUICE_RETURN_IF_ERROR(env_->Truncate(handle->fd(), size, path_));
    NoteChange(handle);
    size_.store(size, std::memory_order_release);
    written_end_.store(size, std::memory_order_release);
    return Status::Ok();
  }

  // Caller holds extend_mu_.
  Status CutPaddingLocked() {
    const uint64_t size = size_.load(std::memory_order_relaxed);
    if (written_end_.load(std::memory_order_relaxed) == size) return Status::Ok();
    return TruncateLocked(size);
  }

  // The writable descriptor for `what` (see CheckWritable).
  Result<std::shared_ptr<FdHandle>> WriteHandle(std::string_view what) const {
    SLUICE_RETURN_IF_ERROR(CheckWritable(what));
    return Handle();
  }

  // The open descriptor, marked as just used in the FdCache; opened (the
  // cache closed it, or it was never opened for reads since Release())
  // read-write before Release(), read-only after. IoError naming the file
  // and errno when it cannot be opened.
  Result<std::shared_ptr<FdHandle>> Handle() const {
    std::lock_guard<std::mutex> lock(fd_mu_);
    std::shared_ptr<FdHandle> handle = handle_.lock();
    if (handle == nullptr) {
      const bool released = released_.load(std::memory_order_acquire);
      auto fd = env_->Open(path_, released ? OpenMode::kRead : OpenMode::kReadWrite);
      if (!fd.ok()) return Status::IoError(fd.status().message());  // removed: an I/O error
      handle = std::make_shared<FdHandle>(*fd, env_);
      if (!released) {
        // Opening read-write creates a missing file: one that lost its data
        // is refused rather than written into at the old position.
        auto size = env_->Size(*fd, path_);
        if (!size.ok()) return size.status();
        if (*size < size_.load(std::memory_order_acquire)) {
          return Status::IoError("reopening " + path_ + ": the file holds " + std::to_string(*size) +
                                 " bytes, fewer than its " + std::to_string(size_.load()) + " bytes of data");
        }
      }
      handle_ = handle;
    }
    // Under fd_mu_, so that a Release() cannot run in between and leave a
    // writable descriptor in the cache.
    FdCache::Instance().Use(handle);
    return handle;
  }

  // Counts a write through `handle`; with hold_until_synced_, the
  // descriptor stays open until a Sync() covers it.
  void NoteChange(const std::shared_ptr<FdHandle>& handle) {
    std::lock_guard<std::mutex> lock(fd_mu_);
    changes_.fetch_add(1, std::memory_order_release);
    if (hold_until_synced_ && !released_.load(std::memory_order_acquire)) unsynced_ = handle;
  }

  Env* const env_;
  const std::string path_;
  const bool hold_until_synced_;
  mutable std::mutex fd_mu_;
  mutable std::weak_ptr<FdHandle> handle_;  // guarded by fd_mu_; owned by the FdCache
  std::shared_ptr<FdHandle> unsynced_;      // guarded by fd_mu_
  std::atomic<uint64_t> changes_{0};        // writes so far
  std::atomic<uint64_t> size_;              // logical: end of the data
  std::atomic<uint64_t> written_end_;       // physical: end of data and zero padding
  std::mutex extend_mu_;
  bool sealed_ = false;          // guarded by extend_mu_
  bool padding_failed_ = false;  // guarded by extend_mu_
  Status padding_sync_error_;    // set before padding_sync_failed_
  std::atomic<bool> padding_sync_failed_{false};
  std::atomic<bool> released_{false};  // Release() ran: writes refused
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

Result<std::unique_ptr<SegmentFile>> OpenPosixSegmentFile(const std::string& path, Env* env, bool hold_until_synced) {
  SLUICE_ASSIGN_OR_RETURN(int fd, env->Open(path, OpenMode::kReadWrite));
  auto size = env->Size(fd, path);
  if (!size.ok()) {
    env->Close(fd);
    return size.status();
  }
  return std::unique_ptr<SegmentFile>(new PosixSegmentFile(env, path, fd, *size, hold_until_synced));
}

std::unique_ptr<SegmentFile> NewMemorySegmentFile() { return std::make_unique<MemorySegmentFile>(); }

}  // namespace sluice::storage
