// LineReader: the lines of a file descriptor (stdin for `sluice put`), read
// with bounded memory and a wait that can time out.
//
//   LineReader in(STDIN_FILENO, 1 << 20);
//   std::string line;
//   while (true) {
//     LineReader::Got got = in.Next(&line, 100);
//     if (got == LineReader::kEnd) break;
//     if (got == LineReader::kNothingYet) continue;  // 100 ms passed with no whole line
//     ...
//   }
//
// A line is the bytes before "\n" (a "\r" before it is dropped too); the
// last line needs no "\n". A line longer than `max_line` bytes is not
// stored: Next answers kTooLong once its first max_line + 1 bytes are read,
// and the reader is then done (Next answers kEnd). Memory is one 64 KiB read
// buffer plus the line. A read error ends the input like its end does, and
// error() says what failed.
//
// Threading: one thread at a time.
#pragma once

#include <cstddef>
#include <string>

namespace sluice::cli {

class LineReader {
 public:
  enum Got { kLine, kTooLong, kNothingYet, kEnd };

  LineReader(int fd, size_t max_line);

  // The next line into *line. Waits at most `wait_ms` for input when none is
  // buffered (-1: for ever) and answers kNothingYet when it ran out; a
  // partial line read so far is kept for the next call.
  Got Next(std::string* line, int wait_ms);

  // The number of the line last returned (1 for the first); with kTooLong,
  // the number of the line that was too long.
  size_t line_number() const { return line_number_; }
  // What a failed read said ("" when input simply ended).
  const std::string& error() const { return error_; }

 private:
  // Moves what the buffer holds of the current line into partial_; true
  // when the line is complete.
  bool TakeFromBuffer();

  const int fd_;
  const size_t max_line_;
  std::string buffer_;  // read but not yet consumed: buffer_[pos_, end)
  size_t pos_ = 0;
  std::string partial_;  // the current line so far
  size_t line_number_ = 0;
  bool eof_ = false;
  bool done_ = false;
  std::string error_;
};

}  // namespace sluice::cli
