#include "storage/journal_replay.h"

#include <string>

namespace sluice::storage {

Status CheckSnapshotCovers(const ShardLog& log, uint64_t covered, std::string_view what) {
  const uint64_t start = log.StartOffset();
  const uint64_t end = log.EndOffset();
  if (covered >= start && covered <= end) return Status::Ok();
  return Status::Corruption(std::string(what) + " covers the journal to " + std::to_string(covered) +
                            ", which holds offsets " + std::to_string(start) + " to " + std::to_string(end));
}

Status ReplayJournal(const ShardLog& log, uint64_t from, const std::function<Status(const StoredRecord&)>& apply) {
  const uint64_t end = log.EndOffset();
  while (from < end) {
    Result<ReadResult> read = log.Read(from, 4096, 8u << 20);
    if (!read.ok()) return read.status();
    if (read->records.empty()) break;
    for (const StoredRecord& r : read->records) SLUICE_RETURN_IF_ERROR(apply(r));
    from = read->next_offset;
  }
  return Status::Ok();
}

}  // namespace sluice::storage
