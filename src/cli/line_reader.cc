#include "cli/line_reader.h"

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sluice::cli {
namespace {

constexpr size_t kReadSize = 64 * 1024;

}  // namespace

LineReader::LineReader(int fd, size_t max_line) : fd_(fd), max_line_(max_line) {}

bool LineReader::TakeFromBuffer() {
  const size_t newline = buffer_.find('\n', pos_);
  const size_t end = newline == std::string::npos ? buffer_.size() : newline;
  // Beyond max_line_ + 1 bytes the line is refused anyway: keep no more.
  const size_t room = max_line_ + 1 - std::min(partial_.size(), max_line_ + 1);
  partial_.append(buffer_, pos_, std::min(end - pos_, room));
  if (newline == std::string::npos) {
    buffer_.clear();
    pos_ = 0;
    return false;
  }
  pos_ = newline + 1;
  return true;
}

LineReader::Got LineReader::Next(std::string* line, int wait_ms) {
  if (done_) return kEnd;
  while (true) {
    const bool complete = pos_ < buffer_.size() && TakeFromBuffer();
    if (partial_.size() > max_line_) {
      ++line_number_;
      done_ = true;
      return kTooLong;
    }
    if (complete || (eof_ && !partial_.empty())) {
      if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
      line->swap(partial_);
      partial_.clear();
      ++line_number_;
      return kLine;
    }
    if (eof_) {
      done_ = true;
      return kEnd;
    }
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, wait_ms);
    if (ready < 0 && errno != EINTR) {
      error_ = std::string("poll: ") + std::strerror(errno);
      eof_ = true;
      continue;
    }
    if (ready <= 0) return kNothingYet;  // timed out, or a signal: let the caller look around
    buffer_.resize(kReadSize);
    pos_ = 0;
    const ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
    if (n < 0) {
      buffer_.clear();
      if (errno == EINTR || errno == EAGAIN) return kNothingYet;
      error_ = std::string("read: ") + std::strerror(errno);
      eof_ = true;
      continue;
    }
    buffer_.resize(static_cast<size_t>(n));
    if (n == 0) eof_ = true;
  }
}

}  // namespace sluice::cli
