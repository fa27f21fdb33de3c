#include "cluster/memory_local_log.h"

#include <algorithm>

namespace sluice::cluster {
namespace {

Status ClosedError() { return Status::IoError("the local log is closed"); }

void Complete(std::multimap<uint64_t, std::function<void(Status)>>& waits, const Status& status) {
  for (auto& [end, done] : waits) done(status);
}

}  // namespace

void MemoryLocalLog::Sync() {
  Waits ready;
  {
    std::lock_guard<std::mutex> lock(mu_);
    durable_ = start_ + records_.size();
    ready = TakeWaitsLocked(/*all=*/false);
  }
  Complete(ready, Status::Ok());
}

std::unique_ptr<MemoryLocalLog> MemoryLocalLog::DurableCopy() const {
  std::lock_guard<std::mutex> lock(mu_);
  auto copy = std::make_unique<MemoryLocalLog>(durable_on_append_);
  copy->start_ = start_;
  copy->records_.assign(records_.begin(),
                        records_.begin() + static_cast<ptrdiff_t>(std::max(durable_, start_) - start_));
  copy->durable_ = durable_;
  return copy;
}

MemoryLocalLog::Waits MemoryLocalLog::TakeWaitsLocked(bool all) {
  Waits out;
  auto stop = all ? waits_.end() : waits_.upper_bound(durable_);
  out.insert(std::make_move_iterator(waits_.begin()), std::make_move_iterator(stop));
  waits_.erase(waits_.begin(), stop);
  return out;
}

Result<uint64_t> MemoryLocalLog::Append(std::span<const storage::AppendEntry> entries, int64_t arrival_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return ClosedError();
  const uint64_t first = start_ + records_.size();
  for (const storage::AppendEntry& e : entries) {
    records_.push_back({arrival_ms, std::string(e.partition_key), std::string(e.data)});
  }
  if (durable_on_append_) durable_ = start_ + records_.size();
  return first;
}

void MemoryLocalLog::WhenDurable(uint64_t end_offset, std::function<void(Status)> done) {
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) {
    lock.unlock();
    done(ClosedError());
  } else if (end_offset <= durable_) {
    lock.unlock();
    done(Status::Ok());
  } else {
    waits_.emplace(end_offset, std::move(done));
  }
}

uint64_t MemoryLocalLog::StartOffset() const {
  std::lock_guard<std::mutex> lock(mu_);
  return start_;
}

uint64_t MemoryLocalLog::EndOffset() const {
  std::lock_guard<std::mutex> lock(mu_);
  return start_ + records_.size();
}

uint64_t MemoryLocalLog::DurableEnd() const {
  std::lock_guard<std::mutex> lock(mu_);
  return durable_;
}

int64_t MemoryLocalLog::LastArrivalMillis() const {
  std::lock_guard<std::mutex> lock(mu_);
  return records_.empty() ? 0 : records_.back().arrival_ms;
}

Result<storage::ReadResult> MemoryLocalLog::Read(uint64_t from, size_t max_records, size_t max_bytes) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return ClosedError();
  from = std::max(from, start_);
  const uint64_t end = start_ + records_.size();
  // Which records fit, first, so that the buffer is sized once and the views
  // into it stay put (at least 16 bytes: on the heap, so a move keeps them).
  uint64_t last = from;
  size_t bytes = 0;
  while (last < end && last - from < max_records) {
    const Record& r = records_[last - start_];
    const size_t size = r.partition_key.size() + r.data.size();
    if (last > from && bytes + size > max_bytes) break;
    bytes += size;
    ++last;
  }
  storage::ReadResult result;
  result.buffer.reserve(std::max<size_t>(bytes, 16));
  for (uint64_t o = from; o < last; ++o) {
    const Record& r = records_[o - start_];
    result.buffer.append(r.partition_key).append(r.data);
  }
  const char* p = result.buffer.data();
  for (uint64_t o = from; o < last; ++o) {
    const Record& r = records_[o - start_];
    std::string_view key(p, r.partition_key.size());
    std::string_view data(p + key.size(), r.data.size());
    p += key.size() + data.size();
    result.records.push_back({o, r.arrival_ms, key, data});
  }
  result.next_offset = last;
  return result;
}

Result<uint64_t> MemoryLocalLog::OffsetForTime(int64_t timestamp_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it =
      std::find_if(records_.begin(), records_.end(), [&](const Record& r) { return r.arrival_ms >= timestamp_ms; });
  return start_ + static_cast<uint64_t>(it - records_.begin());
}

Result<uint64_t> MemoryLocalLog::TrimOlderThan(int64_t before_ms) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return ClosedError();
  size_t n = 0;
  while (n + 1 < records_.size() && records_[n].arrival_ms < before_ms) ++n;
  records_.erase(records_.begin(), records_.begin() + static_cast<ptrdiff_t>(n));
  start_ += n;
  return start_;
}

Status MemoryLocalLog::TruncateTo(uint64_t end_offset) {
  Waits cut;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    if (end_offset < start_) {
      return Status::InvalidArgument("cannot truncate to " + std::to_string(end_offset) + ", below the log start " +
                                     std::to_string(start_));
    }
    if (end_offset >= start_ + records_.size()) return Status::Ok();
    records_.resize(end_offset - start_);
    durable_ = std::min(durable_, end_offset);
    cut.insert(std::make_move_iterator(waits_.upper_bound(end_offset)), std::make_move_iterator(waits_.end()));
    waits_.erase(waits_.upper_bound(end_offset), waits_.end());
  }
  Complete(cut, Status::IoError("records truncated before they were durable"));
  return Status::Ok();
}

Status MemoryLocalLog::ResetTo(uint64_t offset) {
  Waits pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return ClosedError();
    const uint64_t end = start_ + records_.size();
    if (offset < end) {
      return Status::InvalidArgument("cannot reset the log to " + std::to_string(offset) + ", below its end " +
                                     std::to_string(end));
    }
    records_.clear();
    start_ = offset;
    durable_ = offset;
    pending = TakeWaitsLocked(/*all=*/true);
  }
  Complete(pending, Status::IoError("records truncated before they were durable (the log was reset)"));
  return Status::Ok();
}

Status MemoryLocalLog::Close() {
  Waits pending;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return Status::Ok();
    closed_ = true;
    pending = TakeWaitsLocked(/*all=*/true);
  }
  Complete(pending, ClosedError());
  return Status::Ok();
}

Status MemoryLocalLog::Destroy() {
  SLUICE_RETURN_IF_ERROR(Close());
  std::lock_guard<std::mutex> lock(mu_);
  records_.clear();
  return Status::Ok();
}

uint64_t MemoryLocalLog::SizeBytes() const {
  std::lock_guard<std::mutex> lock(mu_);
  uint64_t n = 0;
  for (const Record& r : records_) n += r.partition_key.size() + r.data.size();
  return n;
}

}  // namespace sluice::cluster
