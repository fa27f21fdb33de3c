// ShardLog recovery: what Open() does with the files it finds, and how the
// log creates new ones.
//
// Older segments are trusted when their index files are valid and describe
// exactly the segment's current size; only then is the segment not read at
// all, which keeps start-up time independent of the amount of data. The last
// segment is validated batch by batch from its index's last checkpoint (or
// from the start) up to zero padding or the first torn or corrupt batch, and
// cut there (the padding too: PrepareAhead writes it afresh). That holds
// after a clean close too, when the index covers the whole file.
#include <algorithm>
#include <cstring>
#include <filesystem>

#include "storage/batch.h"
#include "storage/batch_scanner.h"
#include "storage/io_failure_log.h"
#include "storage/recovery_stats.h"
#include "storage/shard_log_impl.h"
#include "util/log.h"

namespace sluice::storage {
namespace {

const char* OutcomeName(BatchScanner::Outcome outcome) {
  switch (outcome) {
    case BatchScanner::Outcome::kTorn: return "torn batch";
    case BatchScanner::Outcome::kCorrupt: return "corrupt batch";
    case BatchScanner::Outcome::kPadding: return "data after zero padding";
    default: return "bad batch";
  }
}

// A sound batch (its checksum holds) of the wrong offset is no crash
// artifact: the file holds other offsets than its name says (copied or
// renamed over). The log refuses to open rather than serve or cut them.
Status MisplacedBatch(const Segment& segment, uint64_t position, uint64_t found, uint64_t expected) {
  Status s = Status::Corruption("batch at position " + std::to_string(position) + " of " + segment.file->path() +
                                " holds offset " + std::to_string(found) + " where offset " + std::to_string(expected) +
                                " belongs");
  log::Error("storage: {}; refusing to open the log", s.message());
  return s;
}

// Checks that the first batch of `segment` (trusted from its index, so not
// scanned) starts at the offset the file's name says.
Status CheckFirstBatchOffset(const Segment& segment) {
  if (segment.size < kBatchHeaderSize) return Status::Ok();
  char bytes[kBatchHeaderSize];
  SLUICE_ASSIGN_OR_RETURN(size_t got, segment.file->ReadAt(0, sizeof(bytes), bytes));
  BatchHeader header;
  if (ParseBatchHeader(bytes, got, &header) != HeaderParse::kOk) {
    return Status::Ok();  // damage, not a misplaced file: reads of it report it
  }
  if (header.base_offset == segment.base_offset) return Status::Ok();
  return MisplacedBatch(segment, 0, header.base_offset, segment.base_offset);
}

// Scans `segment` from `start` (a batch boundary its state already reflects)
// to `limit`, accounting for each valid batch. Returns the outcome that
// stopped the scan (kEnd when all was valid) and sets *stop at its position.
Result<BatchScanner::Outcome> ScanInto(Segment* segment, uint64_t start, uint64_t limit, uint32_t interval,
                                       uint64_t* stop) {
  BatchScanner scanner(*segment->file, start, limit);
  while (true) {
    BatchScanner::Outcome outcome = scanner.Next();
    *stop = scanner.position();
    if (outcome == BatchScanner::Outcome::kIoError) return scanner.error();
    if (outcome != BatchScanner::Outcome::kBatch) return outcome;
    if (scanner.header().base_offset != segment->end_offset) {
      return MisplacedBatch(*segment, scanner.position(), scanner.header().base_offset, segment->end_offset);
    }
    segment->NoteBatch(scanner.header(), scanner.position(), interval);
  }
}

bool AllZero(const char* p, size_t n) {
  static const char kZeros[64 << 10] = {};
  for (size_t k; n > 0; p += k, n -= k) {
    k = std::min(n, sizeof(kZeros));
    if (std::memcmp(p, kZeros, k) != 0) return false;
  }
  return true;
}

// How far after the end of the data recovery of the last segment looks for
// non-zero bytes to report (docs/log-format.md, section 4).
constexpr uint64_t kTailCheckBytes = 64 << 10;

// The end of the last non-zero byte of `file` in [from, limit), or `from`
// when they are all zero (or the file ends first).
Result<uint64_t> NonZeroEnd(const SegmentFile& file, uint64_t from, uint64_t limit) {
  std::string buf(std::min<uint64_t>(limit - from, 1 << 20), '\0');
  uint64_t end = from;
  for (uint64_t pos = from; pos < limit;) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), limit - pos));
    SLUICE_ASSIGN_OR_RETURN(size_t got, file.ReadAt(pos, want, buf.data()));
    if (got == 0) break;
    // Padding is normally all zeros: memcmp checks that at memory speed, and
    // only a chunk with data in it is searched byte by byte.
    if (AllZero(buf.data(), got)) {
      pos += got;
      continue;
    }
    for (size_t i = got; i > 0; --i) {
      if (buf[i - 1] != 0) {
        end = pos + i;
        break;
      }
    }
    pos += got;
  }
  return end;
}

void ResetState(Segment* segment) {
  segment->index = SegmentIndex();
  segment->size = 0;
  segment->end_offset = segment->base_offset;
  segment->first_arrival_ms = 0;
  segment->max_arrival_ms = 0;
  segment->index_saved = false;
}

// The directory holding `dir` (".", for a relative name without one).
std::string ParentDir(const std::string& dir) {
  std::string parent = std::filesystem::path(dir).parent_path().string();
  return parent.empty() ? "." : parent;
}

}  // namespace

Status ShardLog::Impl::Open() {
  Touch();
  load_status_ = Load();
  if (!load_status_.ok()) segments_.clear();  // no call gets past load_status_
  return load_status_;
}

void ShardLog::Impl::OpenClosed() {
  closed_ = true;
  load_status_ = Status::IoError("shard log is closed");
}

Status ShardLog::Impl::Load() {
  if (options_.durability == Durability::kMemory) {
    segments_.push_back(std::make_shared<Segment>(0, "", NewMemorySegmentFile(), options_.env));
    return Status::Ok();
  }
  const bool deferred = options_.create_on_first_append;
  if (!deferred) SLUICE_RETURN_IF_ERROR(options_.env->CreateDirs(dir_));
  Result<std::vector<std::string>> listed = options_.env->ListDir(dir_);
  // With creation deferred, a missing directory is a log never written.
  if (!listed.ok() && !(deferred && listed.status().code() == ErrorCode::kResourceNotFound)) return listed.status();
  if (listed.ok() && std::find(listed->begin(), listed->end(), kResetFileName) != listed->end()) {
    SLUICE_RETURN_IF_ERROR(FinishInterruptedReset(*listed));
    listed = options_.env->ListDir(dir_);
    if (!listed.ok()) return listed.status();
  }
  std::vector<uint64_t> bases;
  for (const std::string& name : listed.ok() ? *listed : std::vector<std::string>{}) {
    uint64_t base;
    if (ParseSegmentFileName(name, &base)) bases.push_back(base);
  }
  std::sort(bases.begin(), bases.end());
  if (bases.empty()) {
    // Empty until its first append creates the files (CreateOnFirstAppend).
    if (deferred) return Status::Ok();
    SLUICE_ASSIGN_OR_RETURN(auto segment, CreateSegment(0));
    segments_.push_back(std::move(segment));
    if (options_.durability == Durability::kFsync) {
      // A new log directory: make its own entry durable too.
      SLUICE_RETURN_IF_ERROR(options_.env->SyncDir(ParentDir(dir_)));
    }
  } else {
    SLUICE_RETURN_IF_ERROR(RecoverSegments(bases));
  }

  uint64_t size = 0;
  int64_t last_arrival = 0;
  for (const auto& segment : segments_) {
    size += segment->size;
    last_arrival = std::max(last_arrival, segment->max_arrival_ms);
  }
  start_offset_ = segments_.front()->base_offset;
  end_offset_ = segments_.back()->end_offset;
  durable_end_ = end_offset_.load();  // what survived recovery is on disk
  size_bytes_ = size;
  last_arrival_ms_ = last_arrival;
  // No padding yet: a shard that is only read, or idle, keeps none on disk
  // (the flusher pads the active segment after its first sync).
  return Status::Ok();
}

Status ShardLog::Impl::RecoverSegments(const std::vector<uint64_t>& bases) {
  for (size_t i = 0; i < bases.size(); ++i) {
    std::string stem = SegmentStem(dir_, bases[i]);
    SLUICE_ASSIGN_OR_RETURN(auto file, OpenPosixSegmentFile(stem + std::string(kSegmentSuffix), options_.env,
                                                            options_.durability == Durability::kFsync));
    auto segment = std::make_shared<Segment>(bases[i], std::move(stem), std::move(file), options_.env);
    if (i + 1 < bases.size()) {
      SLUICE_RETURN_IF_ERROR(RecoverOlderSegment(segment.get(), bases[i + 1]));
      segment->file->Release();  // sealed: reads open it on demand
    } else {
      SLUICE_RETURN_IF_ERROR(RecoverLastSegment(segment.get()));
    }
    if (!segments_.empty() && segments_.back()->end_offset != segment->base_offset) {
      CountRecoveryAction(RecoveryAction::kOffsetGap);
      log::Warn("storage: {} ends at offset {} but the next segment starts at {}", segments_.back()->path_stem,
                segments_.back()->end_offset, segment->base_offset);
      if (segments_.back()->end_offset > segment->base_offset) {
        return Status::Corruption("overlapping segments in " + dir_);
      }
      segments_.back()->end_offset = segment->base_offset;
    }
    segments_.push_back(std::move(segment));
  }
  return Status::Ok();
}

Status ShardLog::Impl::RecoverOlderSegment(Segment* segment, uint64_t next_base) {
  const uint64_t file_size = segment->file->Size();
  auto summary = segment->LoadIndex();
  if (summary.ok() && summary->segment_bytes == file_size && summary->end_offset == next_base) {
    return CheckFirstBatchOffset(*segment);
  }
  CountRecoveryAction(RecoveryAction::kRebuiltIndex);
  log::Info("storage: rebuilding the index of {}", segment->path_stem);
  ResetState(segment);
  uint64_t stop = 0;
  SLUICE_ASSIGN_OR_RETURN(auto outcome, ScanInto(segment, 0, file_size, options_.index_interval_bytes, &stop));
  if (outcome == BatchScanner::Outcome::kPadding) {
    // Zero padding that the roll did not get to cut before a crash: the
    // data ends here, and nothing is lost by cutting zeros.
    SLUICE_ASSIGN_OR_RETURN(uint64_t nonzero_end, NonZeroEnd(*segment->file, stop, file_size));
    if (nonzero_end == stop) {
      SLUICE_RETURN_IF_ERROR(segment->file->Truncate(stop));
      outcome = BatchScanner::Outcome::kEnd;
    }
  }
  if (outcome != BatchScanner::Outcome::kEnd) {
    // Not the tail, so not a crash artifact: keep the bytes (reads of that
    // batch report Corruption) rather than silently dropping later data.
    CountRecoveryAction(RecoveryAction::kDamagedBatch);
    log::Warn("storage: {} in {}{} at position {}; reads of it will fail", OutcomeName(outcome), segment->path_stem,
              kSegmentSuffix, stop);
    segment->size = file_size;
    segment->end_offset = std::max(segment->end_offset, next_base);
  }
  Status s = segment->SaveIndex();
  if (!s.ok()) log::Warn("storage: could not save index of {}: {}", segment->path_stem, s.ToString());
  return Status::Ok();
}

Status ShardLog::Impl::RecoverLastSegment(Segment* segment) {
  const uint64_t file_size = segment->file->Size();
  uint64_t start = 0;
  auto summary = segment->LoadIndex();
  if (summary.ok() && summary->segment_bytes <= file_size && segment->index.size() > 1) {
    // The index vouches for the batches before its last entry; everything
    // from there is validated again, even when the index covers the whole
    // file (a clean close): the last batch may have been damaged since, and
    // a batch that fails its checksum at the tail must be cut, not served.
    // The stretch is bounded: one index interval plus the batches after it.
    IndexEntry checkpoint = segment->index.PopLast();
    segment->size = checkpoint.position;
    segment->end_offset = checkpoint.offset;
    segment->max_arrival_ms = checkpoint.max_arrival_before_ms;
    start = checkpoint.position;
    SLUICE_RETURN_IF_ERROR(CheckFirstBatchOffset(*segment));
  } else {
    ResetState(segment);  // a single entry marks position 0: scan it all
  }
  segment->index_saved = false;

  uint64_t stop = 0;
  SLUICE_ASSIGN_OR_RETURN(auto outcome, ScanInto(segment, start, file_size, options_.index_interval_bytes, &stop));
  if (outcome == BatchScanner::Outcome::kEnd) return Status::Ok();
  // Everything from `stop` on goes: zero padding, or a torn or corrupt batch
  // with whatever follows it. Only cutting non-zero bytes is worth a warning;
  // a crash normally leaves padding after the last batch, or a torn batch.
  // Everything after `stop` is cut whatever it holds; reading it serves only
  // the warning (and the sync below), so only a window after `stop` is read:
  // where a torn batch and the pages of its round lie. Reading all of the
  // padding (a megabyte or more per shard being written at the crash) would
  // make a start after a crash read as much as every such shard padded.
  const uint64_t checked_end = std::min(file_size, stop + kTailCheckBytes);
  SLUICE_ASSIGN_OR_RETURN(uint64_t nonzero_end, NonZeroEnd(*segment->file, stop, checked_end));
  if (nonzero_end > stop) {
    CountRecoveryAction(RecoveryAction::kTruncatedTail);
    log::Warn("storage: {} in {}{} at position {}: truncating, cutting {} bytes", OutcomeName(outcome),
              segment->path_stem, kSegmentSuffix, stop, nonzero_end - stop);
  }
  SLUICE_RETURN_IF_ERROR(segment->file->Truncate(stop));
  // Cutting zeros needs no sync of its own: if a crash undoes the cut, the
  // next recovery finds the same zeros. The next sync of the segment makes
  // it durable anyway. So a start after a crash costs no fdatasync per
  // shard that was being written; only a cut batch is synced away at once.
  if (options_.durability == Durability::kFsync && nonzero_end > stop) {
    SLUICE_RETURN_IF_ERROR(segment->file->Sync());
  }
  return Status::Ok();
}

Result<std::shared_ptr<Segment>> ShardLog::Impl::CreateSegment(uint64_t base_offset, bool defer_dir_sync) {
  if (options_.durability == Durability::kMemory) {
    return std::make_shared<Segment>(base_offset, "", NewMemorySegmentFile(), options_.env);
  }
  std::string stem = SegmentStem(dir_, base_offset);
  const std::string path = stem + std::string(kSegmentSuffix);
  auto opened = OpenPosixSegmentFile(path, options_.env, options_.durability == Durability::kFsync);
  if (!opened.ok()) {
    return Status::IoError("cannot create segment: " + opened.status().message());
  }
  std::unique_ptr<SegmentFile> file = std::move(opened).value();
  if (file->Size() != 0) {
    return Status::Corruption("segment " + file->path() + " already exists");
  }
  // The new file's directory entry must survive a crash too.
  if (options_.durability == Durability::kFsync && !defer_dir_sync) {
    Status s = options_.env->SyncDir(dir_);
    if (!s.ok()) {
      // Not left behind: the roll may be retried later at a higher offset,
      // and an empty file named at this one would then overlap the segment
      // before it.
      file.reset();
      (void)options_.env->RemoveFile(path);
      return Status::IoError("cannot create segment " + path + ": " + s.message());
    }
  }
  auto segment = std::make_shared<Segment>(base_offset, std::move(stem), std::move(file), options_.env);
  PadSegment(segment.get());
  return segment;
}

Status ShardLog::Impl::CreateOnFirstAppend() {
  // Costs a directory and a file, no sync: the log's first sync (the round
  // acknowledging this append) makes the new entries durable with its data.
  Status made = options_.env->CreateDirs(dir_);
  Result<std::shared_ptr<Segment>> segment =
      made.ok() ? CreateSegment(end_offset_.load(std::memory_order_relaxed), /*defer_dir_sync=*/true)
                : Result<std::shared_ptr<Segment>>(Status::IoError("cannot create log: " + made.message()));
  if (!segment.ok()) {
    LogIoFailure(IoFailure::kCreateSegment, segment.status());
    return segment.status();  // nothing written: a later append tries again
  }
  segments_.push_back(std::move(segment).value());
  if (options_.durability == Durability::kFsync) created_dirs_unsynced_.store(true, std::memory_order_release);
  return Status::Ok();
}

Status ShardLog::Impl::SyncCreatedDirs(SyncedDirs* round) {
  if (!created_dirs_unsynced_.load(std::memory_order_acquire)) return Status::Ok();
  SLUICE_RETURN_IF_ERROR(options_.env->SyncDir(dir_));  // the first segment's entry
  const std::string parent = ParentDir(dir_);           // the log directory's entry
  if (round == nullptr || !round->contains(parent)) {
    SLUICE_RETURN_IF_ERROR(options_.env->SyncDir(parent));
    if (round != nullptr) round->insert(parent);
  }
  created_dirs_unsynced_.store(false, std::memory_order_release);
  return Status::Ok();
}

}  // namespace sluice::storage
