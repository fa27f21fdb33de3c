// ByteArena: bump allocation of byte ranges that never move, for decoding a
// request's blobs (PutRecords data) without one heap allocation per record.
// Memory is released when the arena is destroyed.
//
// Threading: not thread-safe; one arena per request.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace sluice::protocol {

class ByteArena {
 public:
  // `block_size` is the size of each ordinary block; larger requests get a
  // block of their own.
  explicit ByteArena(size_t block_size = 64 * 1024) : block_size_(block_size) {}
  ByteArena(const ByteArena&) = delete;
  ByteArena& operator=(const ByteArena&) = delete;

  // Returns `n` writable bytes, valid for the arena's lifetime.
  char* Allocate(size_t n);

  // Bytes handed out so far.
  size_t used() const { return used_; }

 private:
  size_t block_size_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cursor_ = nullptr;
  size_t remaining_ = 0;
  size_t used_ = 0;
};

}  // namespace sluice::protocol
