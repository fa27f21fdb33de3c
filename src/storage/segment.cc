#include "storage/segment.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "storage/log_format.h"

namespace sluice::storage {

std::string SegmentStem(const std::string& dir, uint64_t base_offset) {
  char name[32];
  std::snprintf(name, sizeof(name), "%020llu", static_cast<unsigned long long>(base_offset));
  return dir + "/" + name;
}

bool ParseSegmentFileName(std::string_view name, uint64_t* base_offset) {
  if (name.size() != kSegmentNameDigits + kSegmentSuffix.size() || name.substr(kSegmentNameDigits) != kSegmentSuffix) {
    return false;
  }
  uint64_t v = 0;
  for (size_t i = 0; i < kSegmentNameDigits; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return false;
    uint64_t next = v * 10 + static_cast<uint64_t>(c - '0');
    if (next / 10 != v) return false;  // overflow
    v = next;
  }
  *base_offset = v;
  return true;
}

void Segment::NoteBatch(const BatchHeader& header, uint64_t position, uint32_t index_interval) {
  int64_t before = size == 0 ? std::numeric_limits<int64_t>::min() : max_arrival_ms;
  index.OnBatch(header.base_offset, position, before, index_interval);
  if (size == 0) {
    first_arrival_ms = header.first_arrival_ms;
    max_arrival_ms = header.last_arrival_ms;
  }
  max_arrival_ms = std::max({max_arrival_ms, header.first_arrival_ms, header.last_arrival_ms});
  end_offset = header.end_offset();
  size = position + header.length;
  index_saved = false;
}

Status Segment::Append(const char* data, size_t n, const BatchHeader& header, uint32_t index_interval) {
  SLUICE_RETURN_IF_ERROR(file->Append(data, n));
  NoteBatch(header, size, index_interval);
  return Status::Ok();
}

SegmentSummary Segment::Summary() const { return SegmentSummary{size, end_offset, first_arrival_ms, max_arrival_ms}; }

Status Segment::SaveIndex() {
  if (path_stem.empty() || index_saved) return Status::Ok();
  SegmentSummary summary = Summary();
  SLUICE_RETURN_IF_ERROR(
      env_->WriteFile(path_stem + std::string(kOffsetIndexSuffix), index.EncodeOffsetFile(summary), /*sync=*/false));
  SLUICE_RETURN_IF_ERROR(
      env_->WriteFile(path_stem + std::string(kTimeIndexSuffix), index.EncodeTimeFile(summary), /*sync=*/false));
  index_saved = true;
  return Status::Ok();
}

Result<SegmentSummary> Segment::LoadIndex() {
  if (path_stem.empty()) return Status::NotFound("memory segment has no index files");
  SLUICE_ASSIGN_OR_RETURN(std::string offsets, env_->ReadFile(path_stem + std::string(kOffsetIndexSuffix)));
  SLUICE_ASSIGN_OR_RETURN(std::string times, env_->ReadFile(path_stem + std::string(kTimeIndexSuffix)));
  SegmentSummary summary;
  SLUICE_ASSIGN_OR_RETURN(SegmentIndex loaded, SegmentIndex::Decode(offsets, times, &summary));
  if (summary.end_offset < base_offset || (!loaded.empty() && loaded.entries().front().offset != base_offset) ||
      (loaded.empty() != (summary.segment_bytes == 0))) {
    return Status::Corruption("index does not match segment " + path_stem);
  }
  index = std::move(loaded);
  size = summary.segment_bytes;
  end_offset = summary.end_offset;
  first_arrival_ms = summary.first_arrival_ms;
  max_arrival_ms = summary.max_arrival_ms;
  index_saved = true;
  return summary;
}

Status Segment::RemoveFiles() const {
  if (path_stem.empty()) return Status::Ok();
  Status s = env_->RemoveFile(path_stem + std::string(kSegmentSuffix));
  Status s2 = env_->RemoveFile(path_stem + std::string(kOffsetIndexSuffix));
  Status s3 = env_->RemoveFile(path_stem + std::string(kTimeIndexSuffix));
  if (!s.ok()) return s;
  return s2.ok() ? s3 : s2;
}

}  // namespace sluice::storage
