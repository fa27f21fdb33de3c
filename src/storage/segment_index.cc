#include "storage/segment_index.h"

#include <algorithm>
#include <cstring>

#include "storage/coding.h"
#include "storage/log_format.h"
#include "util/crc32c.h"

namespace sluice::storage {
namespace {

std::string EncodeFile(const char (&magic)[3], const SegmentSummary& summary, const std::vector<IndexEntry>& entries,
                       bool time_file) {
  std::string out(kIndexHeaderSize + entries.size() * kIndexEntrySize, '\0');
  char* p = out.data();
  std::memcpy(p, magic, 3);
  p[3] = static_cast<char>(kIndexFormatVersion);
  coding::PutFixed32(p + 8, static_cast<uint32_t>(entries.size()));
  coding::PutFixed64(p + 16, summary.segment_bytes);
  coding::PutFixed64(p + 24, summary.end_offset);
  coding::PutFixed64(p + 32, static_cast<uint64_t>(summary.first_arrival_ms));
  coding::PutFixed64(p + 40, static_cast<uint64_t>(summary.max_arrival_ms));
  char* e = p + kIndexHeaderSize;
  for (const IndexEntry& entry : entries) {
    if (time_file) {
      coding::PutFixed64(e, static_cast<uint64_t>(entry.max_arrival_before_ms));
      coding::PutFixed64(e + 8, entry.offset);
    } else {
      coding::PutFixed64(e, entry.offset);
      coding::PutFixed64(e + 8, entry.position);
    }
    e += kIndexEntrySize;
  }
  coding::PutFixed32(p + 4, crc32c::Value(p + 8, out.size() - 8));
  return out;
}

// Validates one file image; returns its entry count.
Result<uint32_t> CheckFile(std::string_view file, const char (&magic)[3], SegmentSummary* summary) {
  if (file.size() < kIndexHeaderSize || std::memcmp(file.data(), magic, 3) != 0 ||
      static_cast<uint8_t>(file[3]) != kIndexFormatVersion) {
    return Status::Corruption("index file has a bad header");
  }
  uint32_t count = coding::GetFixed32(file.data() + 8);
  if (file.size() != kIndexHeaderSize + uint64_t{count} * kIndexEntrySize) {
    return Status::Corruption("index file has the wrong size");
  }
  if (crc32c::Value(file.data() + 8, file.size() - 8) != coding::GetFixed32(file.data() + 4)) {
    return Status::Corruption("index file fails its checksum");
  }
  summary->segment_bytes = coding::GetFixed64(file.data() + 16);
  summary->end_offset = coding::GetFixed64(file.data() + 24);
  summary->first_arrival_ms = static_cast<int64_t>(coding::GetFixed64(file.data() + 32));
  summary->max_arrival_ms = static_cast<int64_t>(coding::GetFixed64(file.data() + 40));
  return count;
}

}  // namespace

void SegmentIndex::OnBatch(uint64_t base_offset, uint64_t position, int64_t max_arrival_before_ms, uint32_t interval) {
  if (entries_.empty() || position >= entries_.back().position + interval) {
    entries_.push_back({base_offset, position, max_arrival_before_ms});
  }
}

IndexEntry SegmentIndex::PopLast() {
  IndexEntry last = entries_.back();
  entries_.pop_back();
  return last;
}

IndexEntry SegmentIndex::FloorOffset(uint64_t offset) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), offset,
                             [](uint64_t o, const IndexEntry& e) { return o < e.offset; });
  if (it == entries_.begin()) return IndexEntry{};
  return *(it - 1);
}

IndexEntry SegmentIndex::FloorTime(int64_t timestamp_ms, uint64_t* next_offset) const {
  // max_arrival_before_ms is non-decreasing, so "< timestamp" is a prefix.
  auto it = std::lower_bound(entries_.begin(), entries_.end(), timestamp_ms,
                             [](const IndexEntry& e, int64_t ts) { return e.max_arrival_before_ms < ts; });
  *next_offset = it == entries_.end() ? UINT64_MAX : it->offset;
  if (it == entries_.begin()) return IndexEntry{};
  return *(it - 1);
}

std::string SegmentIndex::EncodeOffsetFile(const SegmentSummary& summary) const {
  return EncodeFile(kOffsetIndexMagic, summary, entries_, /*time_file=*/false);
}

std::string SegmentIndex::EncodeTimeFile(const SegmentSummary& summary) const {
  return EncodeFile(kTimeIndexMagic, summary, entries_, /*time_file=*/true);
}

Result<SegmentIndex> SegmentIndex::Decode(std::string_view offset_file, std::string_view time_file,
                                          SegmentSummary* summary) {
  SegmentSummary time_summary;
  SLUICE_ASSIGN_OR_RETURN(uint32_t count, CheckFile(offset_file, kOffsetIndexMagic, summary));
  SLUICE_ASSIGN_OR_RETURN(uint32_t time_count, CheckFile(time_file, kTimeIndexMagic, &time_summary));
  if (count != time_count || time_summary.segment_bytes != summary->segment_bytes ||
      time_summary.end_offset != summary->end_offset) {
    return Status::Corruption("offset and time index files disagree");
  }
  SegmentIndex index;
  index.entries_.resize(count);
  const char* e = offset_file.data() + kIndexHeaderSize;
  const char* t = time_file.data() + kIndexHeaderSize;
  for (uint32_t i = 0; i < count; ++i, e += kIndexEntrySize, t += kIndexEntrySize) {
    IndexEntry& entry = index.entries_[i];
    entry.offset = coding::GetFixed64(e);
    entry.position = coding::GetFixed64(e + 8);
    entry.max_arrival_before_ms = static_cast<int64_t>(coding::GetFixed64(t));
    bool ordered =
        i == 0 || (entry.offset > index.entries_[i - 1].offset && entry.position > index.entries_[i - 1].position);
    if (coding::GetFixed64(t + 8) != entry.offset || !ordered || entry.position >= summary->segment_bytes ||
        entry.offset >= summary->end_offset) {
      return Status::Corruption("index entries are inconsistent");
    }
  }
  return index;
}

}  // namespace sluice::storage
