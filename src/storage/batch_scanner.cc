#include "storage/batch_scanner.h"

#include <algorithm>
#include <cstring>

namespace sluice::storage {

bool IsAllZero(const char* p, size_t n) {
  // Word at a time would be faster; this runs over at most one header in
  // the scanner, and over padding only once per recovery.
  for (size_t i = 0; i < n; ++i) {
    if (p[i] != 0) return false;
  }
  return true;
}

BatchScanner::BatchScanner(const SegmentFile& file, uint64_t start, uint64_t limit, size_t first_chunk)
    : file_(file), limit_(limit), position_(start), read_pos_(start), chunk_(first_chunk) {}

bool BatchScanner::Fill(size_t n) {
  while (end_ - begin_ < n) {
    if (read_pos_ >= limit_) return false;
    if (begin_ > 0) {  // compact
      std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    size_t want = std::max(n - (end_ - begin_), chunk_);
    chunk_ = std::min(chunk_ * 2, kMaxChunkBytes);
    want = static_cast<size_t>(std::min<uint64_t>(want, limit_ - read_pos_));
    if (buf_.size() < end_ + want) buf_.resize(end_ + want);
    auto got = file_.ReadAt(read_pos_, want, buf_.data() + end_);
    if (!got.ok()) {
      error_ = got.status();
      return false;
    }
    if (*got == 0) return false;  // file shorter than limit: treat as torn
    end_ += *got;
    read_pos_ += *got;
  }
  return true;
}

BatchScanner::Outcome BatchScanner::Next() {
  begin_ += pending_skip_;
  position_ += pending_skip_;
  pending_skip_ = 0;
  if (position_ >= limit_) return Outcome::kEnd;
  if (!Fill(kBatchHeaderSize)) {
    if (!error_.ok()) return Outcome::kIoError;
    // Fewer than a header's bytes are left before `limit`.
    const size_t left = end_ - begin_;
    return left > 0 && IsAllZero(buf_.data() + begin_, left) ? Outcome::kPadding : Outcome::kTorn;
  }
  if (IsAllZero(buf_.data() + begin_, kBatchHeaderSize)) return Outcome::kPadding;
  switch (ParseBatchHeader(buf_.data() + begin_, end_ - begin_, &header_)) {
    case HeaderParse::kOk: break;
    case HeaderParse::kNeedMore: return Outcome::kTorn;
    case HeaderParse::kCorrupt: return Outcome::kCorrupt;
  }
  if (header_.length > limit_ - position_) return Outcome::kTorn;
  if (!Fill(header_.length)) return error_.ok() ? Outcome::kTorn : Outcome::kIoError;
  if (!BatchCrcMatches(buf_.data() + begin_, header_)) return Outcome::kCorrupt;
  pending_skip_ = header_.length;
  return Outcome::kBatch;
}

}  // namespace sluice::storage
