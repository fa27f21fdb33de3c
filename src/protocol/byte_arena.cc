#include "protocol/byte_arena.h"

namespace sluice::protocol {

char* ByteArena::Allocate(size_t n) {
  used_ += n;
  if (n <= remaining_) {
    char* p = cursor_;
    cursor_ += n;
    remaining_ -= n;
    return p;
  }
  if (n > block_size_ / 4) {
    // A big blob gets its own block, so the current block keeps its space.
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(n == 0 ? 1 : n));
    return blocks_.back().get();
  }
  blocks_.push_back(std::make_unique_for_overwrite<char[]>(block_size_));
  cursor_ = blocks_.back().get() + n;
  remaining_ = block_size_ - n;
  return blocks_.back().get();
}

}  // namespace sluice::protocol
