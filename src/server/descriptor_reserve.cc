#include "server/descriptor_reserve.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "server/error_response.h"
#include "util/log.h"

namespace sluice::server {
namespace {

int OpenSpare() { return ::open("/dev/null", O_RDONLY | O_CLOEXEC); }

}  // namespace

DescriptorReserve::DescriptorReserve() : spare_fd_(OpenSpare()), refusal_(Http1ErrorMessage(503)) {}

DescriptorReserve::~DescriptorReserve() {
  if (spare_fd_ >= 0) ::close(spare_fd_);
}

DescriptorReserve::Refusal DescriptorReserve::RefuseOne(int listen_fd) {
  if (spare_fd_ < 0) spare_fd_ = OpenSpare();
  if (spare_fd_ < 0) return Refusal::kNoReserve;
  ::close(spare_fd_);
  spare_fd_ = -1;
  int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  int error = errno;
  Refusal result = Refusal::kRefused;
  if (fd >= 0) {
    char discard[4096];
    for (int i = 0; i < 16 && ::recv(fd, discard, sizeof(discard), 0) > 0; ++i) {
    }
    // One small message on a fresh socket: the send buffer takes it whole.
    ssize_t sent = ::send(fd, refusal_.data(), refusal_.size(), MSG_NOSIGNAL);
    (void)sent;
    ::shutdown(fd, SHUT_WR);
    ::close(fd);
  } else if (error == EAGAIN || error == EWOULDBLOCK || error == EINTR || error == ECONNABORTED) {
    result = Refusal::kNoneWaiting;
  } else {
    result = Refusal::kNoReserve;
  }
  spare_fd_ = OpenSpare();
  return result;
}

void DescriptorReserve::Report(int64_t now_ns, int error, int refused, int idle_closed) {
  ++events_;
  refused_ += static_cast<uint64_t>(refused);
  idle_closed_ += static_cast<uint64_t>(idle_closed);
  if (reported_ && now_ns - last_report_ns_ < kReportIntervalNs) return;
  log::Warn(
      "accept: out of descriptors ({}): {} times since the last report, {} connections answered 503, "
      "{} idle connections closed to make room",
      std::strerror(error), events_, refused_, idle_closed_);
  reported_ = true;
  last_report_ns_ = now_ns;
  events_ = refused_ = idle_closed_ = 0;
}

}  // namespace sluice::server
