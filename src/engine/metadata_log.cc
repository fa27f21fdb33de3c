#include "engine/metadata_log.h"

#include <utility>

#include "engine/byte_fields.h"
#include "engine/metadata_codec.h"
#include "util/log.h"

namespace sluice::engine {
namespace {

// Journal record: kind u8 | account str | region str | name str | [stream record str]
enum class ChangeKind : uint8_t { kPut = 1, kErase = 2 };

std::string EncodeChange(ChangeKind kind, const StreamKey& key, const std::string* record) {
  std::string out;
  ByteWriter w(&out);
  w.U8(static_cast<uint8_t>(kind));
  w.Str(std::get<0>(key));
  w.Str(std::get<1>(key));
  w.Str(std::get<2>(key));
  if (record) w.Str(*record);
  return out;
}

}  // namespace

MetadataLog::MetadataLog(std::string path, bool in_memory, storage::Env* env)
    : journal_(std::move(path), in_memory, env) {}

Result<std::optional<std::vector<StreamMeta>>> MetadataLog::Load() {
  SLUICE_ASSIGN_OR_RETURN(storage::MetadataJournal::Contents contents, journal_.Load());
  if (!contents.snapshot) return std::optional<std::vector<StreamMeta>>();
  {
    SLUICE_ASSIGN_OR_RETURN(std::vector<StreamMeta> streams, DecodeMetadata(*contents.snapshot));
    for (const StreamMeta& m : streams) saved_[KeyOf(m.ref)] = EncodeStreamRecord(m);
  }
  for (const std::string& change : contents.records) {
    ByteReader r(change);
    const uint8_t kind = r.U8();
    StreamKey key;
    std::get<0>(key) = r.Str();
    std::get<1>(key) = r.Str();
    std::get<2>(key) = r.Str();
    if (kind == static_cast<uint8_t>(ChangeKind::kPut)) {
      std::string record = r.Str();
      if (!r.ok()) return Status::Corruption("engine metadata journal: truncated put");
      saved_[key] = std::move(record);
    } else if (kind == static_cast<uint8_t>(ChangeKind::kErase)) {
      if (!r.ok()) return Status::Corruption("engine metadata journal: truncated delete");
      saved_.erase(key);
    } else {
      return Status::Corruption("engine metadata journal: unknown change kind " + std::to_string(kind));
    }
  }
  std::vector<StreamMeta> streams;
  streams.reserve(saved_.size());
  for (const auto& [key, record] : saved_) {
    SLUICE_ASSIGN_OR_RETURN(StreamMeta m, DecodeStreamRecord(record));
    streams.push_back(std::move(m));
  }
  // A journal left long by the last run is folded in now rather than
  // replayed at every start.
  MaybeCompact();
  return std::optional<std::vector<StreamMeta>>(std::move(streams));
}

Status MetadataLog::Init() { return journal_.Compact(EncodeMetadataRecords({})); }

Status MetadataLog::Put(const std::vector<const StreamMeta*>& streams) {
  std::vector<std::pair<StreamKey, std::string>> records;
  std::vector<std::string> changes;
  for (const StreamMeta* m : streams) {
    records.emplace_back(KeyOf(m->ref), EncodeStreamRecord(*m));
    changes.push_back(EncodeChange(ChangeKind::kPut, records.back().first, &records.back().second));
  }
  SLUICE_RETURN_IF_ERROR(journal_.Append(changes));
  for (auto& [key, record] : records) saved_[key] = std::move(record);
  MaybeCompact();
  return Status::Ok();
}

Status MetadataLog::Erase(const StreamKey& key) {
  SLUICE_RETURN_IF_ERROR(journal_.Append({EncodeChange(ChangeKind::kErase, key, nullptr)}));
  saved_.erase(key);
  MaybeCompact();
  return Status::Ok();
}

void MetadataLog::MaybeCompact() {
  if (!journal_.CompactionDue()) return;
  std::vector<const std::string*> records;
  records.reserve(saved_.size());
  for (const auto& [key, record] : saved_) records.push_back(&record);
  Status s = journal_.Compact(EncodeMetadataRecords(records));
  if (!s.ok()) log::Warn("engine: compacting the metadata journal: {} (retried after the next change)", s.ToString());
}

}  // namespace sluice::engine
