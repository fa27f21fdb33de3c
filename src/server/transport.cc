#include "server/transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace sluice::server {

ssize_t PlainTransport::Read(void* buffer, size_t length) {
  while (true) {
    ssize_t n = ::read(fd_, buffer, length);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return kAgain;
    return kError;
  }
}

OutputQueue::WriteResult PlainTransport::Write(OutputQueue& queue, size_t* written) {
  return queue.WriteTo(fd_, written);
}

void PlainTransport::ShutdownWrite() { ::shutdown(fd_, SHUT_WR); }

}  // namespace sluice::server
