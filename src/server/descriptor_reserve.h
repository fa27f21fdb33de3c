// DescriptorReserve: one spare file descriptor, so that a loop out of
// descriptors (EMFILE, ENFILE) can still answer the client waiting in its
// listen backlog instead of leaving it there until some connection closes.
//
// RefuseOne() closes the spare, accepts one connection into its slot, reads
// what the client already sent (so closing does not reset the answer),
// writes a 503 in the AWS JSON error shape with `Connection: close`
// (error_response.h), closes it and reopens the spare. The event loop calls
// it only after it found no idle connection to close instead.
//
// Report() rate-limits the warning: at most one line per interval, with the
// counts since the last line.
//
// Threading: one per event loop, used on its thread only.
#pragma once

#include <cstdint>
#include <string>

namespace sluice::server {

class DescriptorReserve {
 public:
  // Opens the spare (/dev/null). Without one (already out of descriptors),
  // RefuseOne() answers kNoReserve until a later call could reopen it.
  DescriptorReserve();
  ~DescriptorReserve();
  DescriptorReserve(const DescriptorReserve&) = delete;
  DescriptorReserve& operator=(const DescriptorReserve&) = delete;

  enum class Refusal {
    kRefused,      // one connection was answered 503 and closed
    kNoneWaiting,  // the backlog was empty (another loop took it)
    kNoReserve,    // no spare to give up, or the accept failed otherwise
  };
  Refusal RefuseOne(int listen_fd);

  // Counts one out-of-descriptors event (`error`: its errno) with the
  // connections it refused and the idle ones closed to make room; logs
  // "accept: out of descriptors (…)" when the last line is older than
  // kReportIntervalNs (or there was none).
  void Report(int64_t now_ns, int error, int refused, int idle_closed);

  static constexpr int64_t kReportIntervalNs = 10'000'000'000;

 private:
  int spare_fd_ = -1;
  const std::string refusal_;  // the whole 503 message
  int64_t last_report_ns_ = 0;
  bool reported_ = false;
  uint64_t events_ = 0, refused_ = 0, idle_closed_ = 0;  // since the last line
};

}  // namespace sluice::server
