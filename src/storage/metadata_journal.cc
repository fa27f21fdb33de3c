#include "storage/metadata_journal.h"

#include "storage/coding.h"
#include "util/crc32c.h"
#include "util/log.h"

namespace sluice::storage {

MetadataJournal::MetadataJournal(std::string path, bool in_memory, Env* env)
    : snapshot_store_(path, in_memory, env), journal_path_(path + ".journal"), in_memory_(in_memory), env_(env) {}

MetadataJournal::~MetadataJournal() {
  if (fd_ >= 0) env_->Close(fd_);
}

Result<MetadataJournal::Contents> MetadataJournal::Load() {
  Contents out;
  SLUICE_ASSIGN_OR_RETURN(out.snapshot, snapshot_store_.Load());
  snapshot_bytes_ = out.snapshot ? out.snapshot->size() : 0;
  if (in_memory_) return out;
  std::string bytes;
  Result<std::string> read = env_->ReadFile(journal_path_);
  const bool existed = read.ok();
  if (existed) {
    bytes = std::move(read).value();
  } else if (read.status().code() != ErrorCode::kResourceNotFound) {
    return read.status();
  }
  size_t pos = 0;
  while (pos + kJournalRecordHeaderSize <= bytes.size()) {
    const uint32_t crc = coding::GetFixed32(bytes.data() + pos);
    const uint32_t length = coding::GetFixed32(bytes.data() + pos + 4);
    if (length > kMaxJournalRecordBytes || length > bytes.size() - pos - kJournalRecordHeaderSize) break;
    if (crc32c::Value(bytes.data() + pos + 4, length + 4) != crc) {
      // Only the last record can be torn by a crash: a bad one with whole
      // records after it is damage, and cutting there would lose changes
      // that were acknowledged.
      if (pos + kJournalRecordHeaderSize + length < bytes.size()) {
        return Status::Corruption(
            "metadata journal " + journal_path_ + " has a record failing its checksum at byte " + std::to_string(pos) +
            ", followed by " + std::to_string(bytes.size() - pos - kJournalRecordHeaderSize - length) + " more bytes");
      }
      break;
    }
    out.records.emplace_back(bytes, pos + kJournalRecordHeaderSize, length);
    pos += kJournalRecordHeaderSize + length;
  }
  SLUICE_ASSIGN_OR_RETURN(fd_, env_->Open(journal_path_, OpenMode::kReadWrite));
  if (!existed) {
    // A new journal's entry must be durable before a record in it counts.
    const size_t slash = journal_path_.rfind('/');
    SLUICE_RETURN_IF_ERROR(env_->SyncDir(slash == std::string::npos ? "." : journal_path_.substr(0, slash)));
  }
  if (pos < bytes.size()) {
    log::Warn("storage: metadata journal {}: cut a torn tail of {} bytes after {} records", journal_path_,
              bytes.size() - pos, out.records.size());
    SLUICE_RETURN_IF_ERROR(env_->Truncate(fd_, pos, journal_path_));
    SLUICE_RETURN_IF_ERROR(env_->Sync(fd_, journal_path_));
  }
  journal_bytes_ = pos;
  return out;
}

Status MetadataJournal::Append(const std::vector<std::string>& records) {
  std::string frame;
  for (const std::string& record : records) {
    const size_t at = frame.size();
    frame.resize(at + kJournalRecordHeaderSize);
    coding::PutFixed32(frame.data() + at + 4, static_cast<uint32_t>(record.size()));
    frame.append(record);
    coding::PutFixed32(frame.data() + at, crc32c::Value(frame.data() + at + 4, record.size() + 4));
  }
  if (in_memory_ || frame.empty()) {
    journal_bytes_ += frame.size();
    return Status::Ok();
  }
  if (fd_ < 0) return Status::Internal("metadata journal " + journal_path_ + " appended before Load()");
  SLUICE_RETURN_IF_ERROR(env_->Write(fd_, frame.data(), frame.size(), journal_bytes_, journal_path_));
  SLUICE_RETURN_IF_ERROR(env_->Sync(fd_, journal_path_));
  journal_bytes_ += frame.size();
  return Status::Ok();
}

bool MetadataJournal::CompactionDue() const {
  return journal_bytes_ >= kMinCompactBytes && journal_bytes_ > kCompactRatio * snapshot_bytes_;
}

Status MetadataJournal::Compact(std::string_view snapshot) {
  // The snapshot first: until the journal is emptied, a crash replays the
  // whole journal over a snapshot that already holds it, which its owner
  // makes harmless.
  SLUICE_RETURN_IF_ERROR(snapshot_store_.Save(snapshot));
  snapshot_bytes_ = snapshot.size();
  if (!in_memory_) {
    if (fd_ < 0) return Status::Internal("metadata journal " + journal_path_ + " compacted before Load()");
    SLUICE_RETURN_IF_ERROR(env_->Truncate(fd_, 0, journal_path_));
    SLUICE_RETURN_IF_ERROR(env_->Sync(fd_, journal_path_));
  }
  journal_bytes_ = 0;
  return Status::Ok();
}

}  // namespace sluice::storage
