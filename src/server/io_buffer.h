// IoBuffer: a growable byte buffer for socket reads. Bytes are appended at
// the back (read(2) straight into WritableData()) and consumed from the front,
// so a parser can keep views into the readable region until it consumes them.
//
// Ownership: owns its storage. Threading: none (one connection's loop thread).
// Invalidation: Reserve() may move the bytes (views must be rebuilt);
// Consume() never moves them.
#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace sluice::server {

class IoBuffer {
 public:
  IoBuffer() = default;
  IoBuffer(const IoBuffer&) = delete;
  IoBuffer& operator=(const IoBuffer&) = delete;

  char* data() { return storage_.get() + begin_; }
  size_t size() const { return end_ - begin_; }
  // Bytes of storage held (what the buffer costs).
  size_t capacity() const { return capacity_; }
  bool empty() const { return begin_ == end_; }
  std::string_view view() const { return {storage_.get() + begin_, end_ - begin_}; }

  // Ensures at least `n` writable bytes after the readable region, compacting
  // or growing the storage (which moves the readable bytes).
  void Reserve(size_t n) {
    if (capacity_ - end_ >= n) return;
    size_t used = size();
    if (begin_ > 0 && capacity_ - used >= n && used <= capacity_ / 2) {
      std::memmove(storage_.get(), storage_.get() + begin_, used);
    } else {
      size_t cap = capacity_ == 0 ? 4096 : capacity_;
      while (cap - used < n) cap *= 2;
      std::unique_ptr<char[]> bigger(new char[cap]);
      if (used) std::memcpy(bigger.get(), storage_.get() + begin_, used);
      storage_ = std::move(bigger);
      capacity_ = cap;
    }
    begin_ = 0;
    end_ = used;
  }

  char* WritableData() { return storage_.get() + end_; }
  size_t WritableSize() const { return capacity_ - end_; }
  // Marks `n` bytes written at WritableData() as readable.
  void Commit(size_t n) { end_ += n; }
  void Append(std::string_view bytes) {
    Reserve(bytes.size());
    if (!bytes.empty()) std::memcpy(WritableData(), bytes.data(), bytes.size());
    Commit(bytes.size());
  }
  // Drops `n` bytes from the front (n <= size()).
  void Consume(size_t n) {
    begin_ += n;
    if (begin_ == end_) begin_ = end_ = 0;
  }
  // Frees the storage when it grew large and is now empty (after a big body).
  void ShrinkIfIdle(size_t keep) {
    if (empty() && capacity_ > keep) {
      storage_.reset();
      capacity_ = 0;
      begin_ = end_ = 0;
    }
  }

 private:
  std::unique_ptr<char[]> storage_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

}  // namespace sluice::server
