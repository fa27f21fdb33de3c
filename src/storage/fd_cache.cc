#include "storage/fd_cache.h"

#include <sys/resource.h>

#include <algorithm>

namespace sluice::storage {

FdHandle::~FdHandle() { env_->Close(fd_); }

FdCache& FdCache::Instance() {
  static FdCache* cache = new FdCache();  // never destroyed: used until exit
  return *cache;
}

size_t FdCache::CapacityForLimit(uint64_t open_files_limit) {
  return static_cast<size_t>(std::max<uint64_t>(open_files_limit / 2, 64));
}

size_t FdCache::CapacityForThisProcess() {
  struct rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return kDefaultCapacity;
  return CapacityForLimit(limit.rlim_cur == RLIM_INFINITY ? (1u << 20) : limit.rlim_cur);
}

void FdCache::Use(const std::shared_ptr<FdHandle>& handle) {
  std::vector<std::shared_ptr<FdHandle>> evicted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (handle->cached_) {
      lru_.splice(lru_.begin(), lru_, handle->position_);
    } else {
      lru_.push_front(handle);
      handle->position_ = lru_.begin();
      handle->cached_ = true;
    }
    EvictLocked(&evicted);
  }
  // `evicted` closes here, outside the lock, unless a reader still holds one.
}

void FdCache::Drop(FdHandle* handle) {
  std::shared_ptr<FdHandle> dropped;
  std::lock_guard<std::mutex> lock(mu_);
  if (!handle->cached_) return;
  handle->cached_ = false;
  dropped = std::move(*handle->position_);
  lru_.erase(handle->position_);
  // The caller still holds a reference, so `dropped` does not close here.
}

void FdCache::SetCapacity(size_t capacity) {
  std::vector<std::shared_ptr<FdHandle>> evicted;
  std::lock_guard<std::mutex> lock(mu_);
  capacity_ = std::max<size_t>(capacity, 1);
  EvictLocked(&evicted);
}

size_t FdCache::Capacity() const {
  std::lock_guard<std::mutex> lock(mu_);
  return capacity_;
}

size_t FdCache::Size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

void FdCache::EvictLocked(std::vector<std::shared_ptr<FdHandle>>* evicted) {
  while (lru_.size() > capacity_) {
    lru_.back()->cached_ = false;
    evicted->push_back(std::move(lru_.back()));
    lru_.pop_back();
  }
}

}  // namespace sluice::storage
