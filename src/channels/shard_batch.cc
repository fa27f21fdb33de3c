#include "channels/shard_batch.h"

namespace sluice::channels {

void ShardBatch::Add(BatchRecord record) {
  bytes_ += record.data.size();
  records_.push_back(std::move(record));
}

size_t ShardBatch::NextCut() const {
  size_t n = 0, bytes = 0;
  for (const BatchRecord& r : records_) {
    if (n > 0 && bytes + r.data.size() > max_bytes_) break;
    bytes += r.data.size();
    ++n;
  }
  return n;
}

bool ShardBatch::Due(int64_t now_ms, int64_t freshness_ms) const {
  if (records_.empty()) return false;
  return now_ms - records_.front().arrival_ms >= freshness_ms || NextCut() < records_.size();
}

void ShardBatch::Drop(size_t n) {
  for (size_t i = 0; i < n && !records_.empty(); ++i) {
    bytes_ -= records_.front().data.size();
    records_.pop_front();
  }
}

}  // namespace sluice::channels
