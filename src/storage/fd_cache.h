// FdCache: bounds the file descriptors held open for sealed segments.
//
// Only a log's active segment keeps its descriptor for as long as it is
// active. A sealed segment (rolled, or older than the last at Open) is opened
// read-only when a reader needs it, and its descriptor is kept in one
// process-wide least-recently-used set of at most Capacity() descriptors, so
// that a busy reader does not reopen the file for every read, while a server
// with many shards and many hourly segments per shard stays far below the
// open-files limit.
//
// A descriptor is an FdHandle shared by the cache and whoever is using it: an
// evicted descriptor is closed when its last user lets go, so the count of
// open sealed-segment descriptors is at most Capacity() plus those in use by
// reads in flight.
//
// Threading: thread-safe (one mutex; held only for list updates, never
// across a system call).
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/env.h"

namespace sluice::storage {

// An open descriptor, closed (through `env`) on destruction.
class FdHandle {
 public:
  explicit FdHandle(int fd, Env* env = Env::Default()) : fd_(fd), env_(env) {}
  ~FdHandle();
  FdHandle(const FdHandle&) = delete;
  FdHandle& operator=(const FdHandle&) = delete;
  int fd() const { return fd_; }

 private:
  friend class FdCache;
  const int fd_;
  Env* const env_;
  // Guarded by the cache's mutex: this handle's place in the LRU list.
  bool cached_ = false;
  std::list<std::shared_ptr<FdHandle>>::iterator position_;
};

class FdCache {
 public:
  static constexpr size_t kDefaultCapacity = 256;

  // The process-wide cache used by segment files.
  static FdCache& Instance();

  // Marks `handle` as just used: keeps it (the most recent), evicting the
  // least recently used beyond the capacity.
  void Use(const std::shared_ptr<FdHandle>& handle);
  // Forgets `handle` (its file is going away); it closes once unused.
  void Drop(FdHandle* handle);

  // At least 1. Shrinking evicts at once.
  void SetCapacity(size_t capacity);
  size_t Capacity() const;
  // Descriptors the cache holds now.
  size_t Size() const;

 private:
  // Removes entries beyond the capacity into *evicted (closed by the caller,
  // outside the lock). Caller holds mu_.
  void EvictLocked(std::vector<std::shared_ptr<FdHandle>>* evicted);

  mutable std::mutex mu_;
  std::list<std::shared_ptr<FdHandle>> lru_;  // front: most recently used
  size_t capacity_ = kDefaultCapacity;
};

}  // namespace sluice::storage
