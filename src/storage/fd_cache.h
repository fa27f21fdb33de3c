// FdCache: bounds the file descriptors held open for segments.
//
// Every segment file is opened when it is used: the active segment
// read-write (for appends, syncs and reads), a sealed one (rolled, or older
// than the last at Open) read-only. Its descriptor is kept in one
// process-wide least-recently-used set of at most Capacity() descriptors, so
// that a busy shard does not reopen its file for every append or read, while
// a server with many shards, and many hourly segments per shard, stays below
// the open-files limit.
//
// A descriptor is an FdHandle shared by the cache and whoever is using it: an
// evicted descriptor is closed when its last user lets go, so the count of
// open segment descriptors is at most Capacity() plus those in use by calls
// in flight and those holding writes not yet synced (fsync mode: until the
// next group commit).
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

  // A capacity for a process whose open-files limit (RLIMIT_NOFILE, soft)
  // is `open_files_limit`: half of it, leaving the rest for connections and
  // other files; at least 64.
  static size_t CapacityForLimit(uint64_t open_files_limit);
  // CapacityForLimit() of this process's current limit (kDefaultCapacity if
  // it cannot be read).
  static size_t CapacityForThisProcess();

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
