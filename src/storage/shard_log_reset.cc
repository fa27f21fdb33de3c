// ShardLog::ResetTo: emptying a log and starting it again at a later offset
// (see shard_log.h for the contract). A follower whose log ends below its
// leader's start cannot catch up by fetching: it starts over there.
//
// The `reset` file (a metadata document naming the new start) is what makes
// the change all-or-nothing: saved before anything else changes, removed
// once everything has. A crash before it is durable leaves the old log; a
// crash after it leaves a directory that Open() finishes resetting
// (FinishInterruptedReset), whatever of the old segments are still there.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "storage/coding.h"
#include "storage/log_format.h"
#include "storage/metadata_store.h"
#include "storage/shard_log_impl.h"
#include "util/log.h"

namespace sluice::storage {
namespace {

std::string ResetPath(const std::string& dir) { return dir + "/" + std::string(kResetFileName); }

std::string EncodeResetOffset(uint64_t offset) {
  std::string bytes(8, '\0');
  coding::PutFixed64(bytes.data(), offset);
  return bytes;
}

// The base offset of a segment's file (`.log`) or index file (`.index`,
// `.timeindex`): an index file may outlive its segment's removal.
bool SegmentFileBase(std::string_view name, uint64_t* base) {
  for (std::string_view suffix : {kOffsetIndexSuffix, kTimeIndexSuffix}) {
    if (name.ends_with(suffix)) {
      return ParseSegmentFileName(
          std::string(name.substr(0, name.size() - suffix.size())) + std::string(kSegmentSuffix), base);
    }
  }
  return ParseSegmentFileName(name, base);
}

}  // namespace

Status ShardLog::Impl::ResetTo(uint64_t offset) {
  SLUICE_RETURN_IF_ERROR(EnsureLoaded());
  std::lock_guard<std::mutex> sync_lock(sync_mu_);  // no sync of this log meanwhile
  std::lock_guard<std::mutex> lock(mu_);
  SLUICE_RETURN_IF_ERROR(CutRefusalLocked());
  const uint64_t start = start_offset_.load(std::memory_order_acquire);
  const uint64_t end = end_offset_.load(std::memory_order_relaxed);
  if (offset < end) {
    return Status::InvalidArgument("cannot reset the log in " + dir_ + " to offset " + std::to_string(offset) +
                                   ", below its end offset " + std::to_string(end) + " (truncate it instead)");
  }
  if (start == offset && end == offset) return Status::Ok();  // empty there already

  // From the `reset` file on, a failure leaves files and memory apart: the
  // log fails for good, and the next Open() finishes or forgets the reset.
  auto fail = [&](Status s) {
    Fail(s);
    return s;
  };
  std::shared_ptr<Segment> fresh;
  if (options_.durability == Durability::kMemory) {
    fresh = std::make_shared<Segment>(offset, "", NewMemorySegmentFile(), options_.env);
  } else {
    // A log never written (LogOptions::create_on_first_append) has no
    // directory yet; the new one's entry is synced with the first segment's.
    if (segments_.empty()) {
      if (Status s = options_.env->CreateDirs(dir_); !s.ok()) return s;
      created_dirs_unsynced_.store(options_.durability == Durability::kFsync, std::memory_order_release);
    }
    MetadataStore intent(ResetPath(dir_), /*in_memory=*/false, options_.env);
    if (Status s = intent.Save(EncodeResetOffset(offset)); !s.ok()) return fail(s);
    if (!segments_.empty() && segments_.back()->base_offset == offset) {
      fresh = segments_.back();  // an empty active segment already there
      segments_.pop_back();
    } else {
      auto created = CreateSegment(offset);
      if (!created.ok()) return fail(created.status());
      fresh = std::move(created).value();
    }
    // Oldest first: a crash in between leaves the `reset` file to finish it.
    for (const auto& segment : segments_) {
      if (Status s = segment->RemoveFiles(); !s.ok()) return fail(s);
    }
    if (options_.durability == Durability::kFsync) {
      if (Status s = options_.env->SyncDir(dir_); !s.ok()) return fail(s);
      if (Status s = SyncCreatedDirs(nullptr); !s.ok()) return fail(s);
    }
    // Not synced: should the file come back after a crash, finishing the
    // reset again removes nothing (every segment is at or past `offset`).
    if (Status s = options_.env->RemoveFile(ResetPath(dir_)); !s.ok()) return fail(s);
  }

  // Readers still holding a removed segment keep reading the file they hold.
  segments_.clear();
  segments_.push_back(std::move(fresh));
  size_bytes_.store(0, std::memory_order_relaxed);
  last_arrival_ms_.store(0, std::memory_order_release);
  start_offset_.store(offset, std::memory_order_release);
  end_offset_.store(offset, std::memory_order_release);
  durable_end_.store(offset, std::memory_order_release);
  RecordCut(start);  // durability waits for records of the old log fail
  log::Info("storage: reset the log in {} to start empty at offset {} (it held offsets {} to {})", dir_, offset, start,
            end);
  return Status::Ok();
}

Status ShardLog::Impl::FinishInterruptedReset(const std::vector<std::string>& names) {
  if (std::find(names.begin(), names.end(), kResetFileName) == names.end()) return Status::Ok();
  MetadataStore intent(ResetPath(dir_), /*in_memory=*/false, options_.env);
  SLUICE_ASSIGN_OR_RETURN(std::optional<std::string> document, intent.Load());
  // Only a rename makes the file: it is whole, or absent (its `.tmp` aside).
  if (!document) return Status::Ok();
  if (document->size() != 8) {
    return Status::Corruption("the reset file in " + dir_ + " holds " + std::to_string(document->size()) +
                              " bytes, not 8");
  }
  const uint64_t offset = coding::GetFixed64(document->data());
  bool has_new = false;
  for (const std::string& name : names) {
    uint64_t base;
    if (!SegmentFileBase(name, &base)) continue;
    if (base < offset) {
      SLUICE_RETURN_IF_ERROR(options_.env->RemoveFile(dir_ + "/" + name));
    } else if (name.ends_with(kSegmentSuffix)) {
      has_new = true;
    }
  }
  if (!has_new) {
    // An empty segment file at `offset` (recovery opens it as the log's only one).
    const std::string path = SegmentStem(dir_, offset) + std::string(kSegmentSuffix);
    SLUICE_RETURN_IF_ERROR(OpenPosixSegmentFile(path, options_.env).status());
  }
  if (options_.durability == Durability::kFsync) SLUICE_RETURN_IF_ERROR(options_.env->SyncDir(dir_));
  SLUICE_RETURN_IF_ERROR(options_.env->RemoveFile(ResetPath(dir_)));
  log::Warn("storage: finished resetting the log in {} to start at offset {} (a crash interrupted it)", dir_, offset);
  return Status::Ok();
}

}  // namespace sluice::storage
