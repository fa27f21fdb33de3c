#include "server/output_queue.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

namespace sluice::server {

OutputQueue::WriteResult OutputQueue::WriteTo(int fd, size_t* written) {
  constexpr size_t kMaxIov = 64;
  while (bytes_ > 0) {
    iovec iov[kMaxIov];
    size_t count = 0;
    for (size_t i = 0; i < chunks_.size() && count < kMaxIov; ++i, ++count) {
      size_t skip = i == 0 ? front_offset_ : 0;
      iov[count].iov_base = chunks_[i].data() + skip;
      iov[count].iov_len = chunks_[i].size() - skip;
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return WriteResult::kBlocked;
      return WriteResult::kError;
    }
    *written += static_cast<size_t>(n);
    Consume(static_cast<size_t>(n));
  }
  return WriteResult::kDone;
}

size_t OutputQueue::CopyFront(char* out, size_t capacity) const {
  size_t copied = 0;
  for (size_t i = 0; i < chunks_.size() && copied < capacity; ++i) {
    size_t skip = i == 0 ? front_offset_ : 0;
    size_t n = chunks_[i].size() - skip;
    if (n > capacity - copied) n = capacity - copied;
    std::memcpy(out + copied, chunks_[i].data() + skip, n);
    copied += n;
  }
  return copied;
}

void OutputQueue::Consume(size_t n) {
  bytes_ -= n;
  size_t left = n;
  while (left > 0) {
    size_t in_front = chunks_.front().size() - front_offset_;
    if (left >= in_front) {
      left -= in_front;
      chunks_.pop_front();
      front_offset_ = 0;
    } else {
      front_offset_ += left;
      left = 0;
    }
  }
}

}  // namespace sluice::server
