// OutputQueue: bytes waiting to be written to a socket, as a list of owned
// strings written with writev(2). Large bodies are moved in, never copied.
//
// Threading: none (one connection's loop thread).
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>

namespace sluice::server {

class OutputQueue {
 public:
  enum class WriteResult { kDone, kBlocked, kError };

  void Append(std::string bytes) {
    if (bytes.empty()) return;
    bytes_ += bytes.size();
    chunks_.push_back(std::move(bytes));
  }
  bool empty() const { return bytes_ == 0; }
  size_t bytes() const { return bytes_; }
  void Clear() {
    chunks_.clear();
    front_offset_ = 0;
    bytes_ = 0;
  }

  // Writes as much as the socket takes. kDone: queue empty; kBlocked: the
  // socket is full (wait for EPOLLOUT); kError: the peer is gone.
  // `*written` is increased by the bytes written.
  WriteResult WriteTo(int fd, size_t* written);

  // For writers that cannot take an iovec (TLS): the unwritten part of the
  // first chunk, a copy of up to `capacity` leading bytes, and dropping `n`
  // written bytes from the front.
  std::string_view Front() const {
    return chunks_.empty() ? std::string_view() : std::string_view(chunks_.front()).substr(front_offset_);
  }
  size_t CopyFront(char* out, size_t capacity) const;
  void Consume(size_t n);

 private:
  std::deque<std::string> chunks_;
  size_t front_offset_ = 0;
  size_t bytes_ = 0;
};

}  // namespace sluice::server
