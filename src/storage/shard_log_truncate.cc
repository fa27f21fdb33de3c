// ShardLog::TruncateTo: cutting the end of a log (see shard_log.h for the
// contract). A follower drops the records its leader never committed.
//
// The order of the steps is what a crash can interrupt: the later segments
// go first (newest first), with the cut segment's index files, and the
// directory is synced; then the cut segment is truncated at the batch
// holding the cut, the records of that batch before the cut are written
// again, and the segment is synced. A crash in between leaves a log whose
// segments are contiguous and which ends between that batch's start and
// the old end; the index files of the cut segment are gone, so recovery
// scans it instead of trusting an index that describes other batches.
#include <algorithm>
#include <string>
#include <vector>

#include "storage/batch.h"
#include "storage/batch_scanner.h"
#include "storage/log_format.h"
#include "storage/shard_log_impl.h"
#include "util/log.h"

namespace sluice::storage {
namespace {

// A record of the batch holding the cut that precedes the cut: written again.
struct KeptRecord {
  int64_t arrival_ms;
  std::string partition_key;
  std::string data;
};

// Where the cut goes in `segment` (which holds `end_offset`): the position of
// the batch holding `end_offset`, and that batch's records before it.
Status FindCut(const Segment& segment, uint64_t end_offset, uint64_t* position, std::vector<KeptRecord>* kept) {
  BatchScanner scanner(*segment.file, segment.index.FloorOffset(end_offset).position, segment.size);
  while (true) {
    const BatchScanner::Outcome outcome = scanner.Next();
    if (outcome == BatchScanner::Outcome::kIoError) return scanner.error();
    if (outcome != BatchScanner::Outcome::kBatch) {
      return Status::Corruption("cannot truncate " + segment.file->path() + " at offset " + std::to_string(end_offset) +
                                ": no sound batch holds it (position " + std::to_string(scanner.position()) + ")");
    }
    const BatchHeader& header = scanner.header();
    if (header.end_offset() <= end_offset) continue;
    *position = scanner.position();
    bool sound = ForEachRecord(scanner.batch(), header,
                               [&](uint64_t offset, int64_t arrival, std::string_view key, std::string_view data) {
                                 if (offset >= end_offset) return false;
                                 kept->push_back({arrival, std::string(key), std::string(data)});
                                 return true;
                               });
    if (!sound) {
      return Status::Corruption("malformed records in the batch at position " + std::to_string(*position) + " of " +
                                segment.file->path());
    }
    return Status::Ok();
  }
}

}  // namespace

Result<std::unique_ptr<SegmentFile>> ShardLog::Impl::CutSegmentFile(Segment* segment, uint64_t size) {
  if (options_.durability == Durability::kMemory) {
    std::unique_ptr<SegmentFile> file = NewMemorySegmentFile();
    std::string bytes(size, '\0');
    SLUICE_ASSIGN_OR_RETURN(size_t got, segment->file->ReadAt(0, bytes.size(), bytes.data()));
    if (got != size) return Status::Corruption("memory segment shorter than " + std::to_string(size) + " bytes");
    SLUICE_RETURN_IF_ERROR(file->Append(bytes.data(), bytes.size()));
    return file;
  }
  // The old file object writes no more: no append, no zero padding by the
  // flusher. Readers still holding it read the (shorter) file read-only.
  segment->file->Release();
  SLUICE_ASSIGN_OR_RETURN(
      std::unique_ptr<SegmentFile> file,
      OpenPosixSegmentFile(segment->file->path(), options_.env, options_.durability == Durability::kFsync));
  SLUICE_RETURN_IF_ERROR(file->Truncate(size));
  return file;
}

Status ShardLog::Impl::TruncateTo(uint64_t end_offset) {
  SLUICE_RETURN_IF_ERROR(EnsureLoaded());
  std::lock_guard<std::mutex> sync_lock(sync_mu_);  // no sync of this log meanwhile
  std::lock_guard<std::mutex> lock(mu_);
  SLUICE_RETURN_IF_ERROR(CutRefusalLocked());
  const uint64_t start = start_offset_.load(std::memory_order_acquire);
  if (end_offset < start) {
    return Status::InvalidArgument("cannot truncate the log in " + dir_ + " to offset " + std::to_string(end_offset) +
                                   ", below its start offset " + std::to_string(start));
  }
  if (end_offset >= end_offset_.load(std::memory_order_relaxed)) return Status::Ok();

  // The segment holding end_offset: the last one starting at or before it.
  size_t k = segments_.size() - 1;
  while (k > 0 && segments_[k]->base_offset > end_offset) --k;
  Segment* cut = segments_[k].get();
  uint64_t position = 0;
  std::vector<KeptRecord> kept;
  SLUICE_RETURN_IF_ERROR(FindCut(*cut, end_offset, &position, &kept));

  // From here a failure leaves files and memory apart: the log fails for good.
  auto fail = [&](Status s) {
    Fail(s);
    return s;
  };
  for (size_t i = segments_.size() - 1; i > k; --i) {
    Status s = segments_[i]->RemoveFiles();
    if (!s.ok()) return fail(s);
  }
  if (options_.durability != Durability::kMemory) {
    for (std::string_view suffix : {kOffsetIndexSuffix, kTimeIndexSuffix}) {
      Status s = options_.env->RemoveFile(cut->path_stem + std::string(suffix));
      if (!s.ok()) return fail(s);
    }
  }
  if (options_.durability == Durability::kFsync) {
    Status s = options_.env->SyncDir(dir_);
    if (!s.ok()) return fail(s);
  }

  auto file = CutSegmentFile(cut, position);
  if (!file.ok()) return fail(file.status());
  auto segment = std::make_shared<Segment>(cut->base_offset, cut->path_stem, std::move(file).value(), options_.env);
  // Rebuilds the state and index of what is left (the index files are gone).
  if (Status s = RecoverLastSegment(segment.get()); !s.ok()) return fail(s);
  // The batch's records before the cut, one batch per arrival time.
  for (size_t i = 0; i < kept.size();) {
    size_t j = i;
    std::vector<AppendEntry> entries;
    for (; j < kept.size() && kept[j].arrival_ms == kept[i].arrival_ms; ++j) {
      entries.push_back({kept[j].partition_key, kept[j].data});
    }
    const size_t length = EncodeBatch(entries, segment->end_offset, kept[i].arrival_ms, &scratch_);
    BatchHeader header;
    header.length = static_cast<uint32_t>(length);
    header.base_offset = segment->end_offset;
    header.record_count = static_cast<uint32_t>(entries.size());
    header.first_arrival_ms = header.last_arrival_ms = kept[i].arrival_ms;
    if (Status s = segment->Append(scratch_.data(), length, header, options_.index_interval_bytes); !s.ok()) {
      return fail(s);
    }
    i = j;
  }
  if (options_.durability == Durability::kFsync) {
    if (Status s = segment->file->Sync(); !s.ok()) return fail(s);
  }
  if (segment->end_offset != end_offset) {
    // Recovery of the cut segment stopped at a damaged batch before the cut.
    return fail(Status::Corruption("truncating " + segment->file->path() + " to offset " + std::to_string(end_offset) +
                                   " left it ending at " + std::to_string(segment->end_offset)));
  }

  segments_.resize(k);
  segments_.push_back(std::move(segment));
  uint64_t size = 0;
  int64_t last_arrival = 0;
  for (const auto& s : segments_) {
    size += s->size;
    last_arrival = std::max(last_arrival, s->max_arrival_ms);
  }
  size_bytes_.store(size, std::memory_order_relaxed);
  last_arrival_ms_.store(last_arrival, std::memory_order_release);
  end_offset_.store(end_offset, std::memory_order_release);
  durable_end_.store(end_offset, std::memory_order_release);
  RecordCut(end_offset);
  log::Info("storage: truncated the log in {} to offset {}", dir_, end_offset);
  return Status::Ok();
}

Status ShardLog::Impl::CutRefusalLocked() const {
  if (closed_) return Status::IoError("shard log is closed");
  if (failed_.load(std::memory_order_acquire)) return FailedError();
  return Status::Ok();
}

void ShardLog::Impl::RecordCut(uint64_t offset) {
  std::lock_guard<std::mutex> cuts_lock(cuts_mu_);
  cuts_.push_back(offset);
  truncations_.store(cuts_.size(), std::memory_order_release);
}

Status ShardLog::Impl::CutSince(uint64_t truncations, uint64_t end_offset) const {
  if (Truncations() == truncations) return Status::Ok();
  std::lock_guard<std::mutex> lock(cuts_mu_);
  for (size_t i = truncations; i < cuts_.size(); ++i) {
    if (cuts_[i] < end_offset) {
      return Status::IoError("the records below offset " + std::to_string(end_offset) + " of the log in " + dir_ +
                             " were truncated at offset " + std::to_string(cuts_[i]) + " before they were durable");
    }
  }
  return Status::Ok();
}

}  // namespace sluice::storage
