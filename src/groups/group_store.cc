#include "groups/group_store.h"

#include <algorithm>
#include <future>

#include "groups/group_codec.h"
#include "storage/journal_replay.h"
#include "util/clock.h"
#include "util/log.h"

namespace sluice::groups {
namespace {

// Journal record kinds: the first byte of a record's data, JSON after it.
constexpr char kPutGroup = 'G';
constexpr char kDeleteGroup = 'D';
constexpr char kPutCheckpoint = 'C';

}  // namespace

GroupStore::GroupStore(const GroupStoreOptions& options)
    : options_(options),
      dir_(options.data_dir + "/groups"),
      snapshot_store_(dir_ + "/snapshot", options.durability == storage::Durability::kMemory, options.env) {}

GroupStore::~GroupStore() {
  if (journal_) {
    Status closed = journal_->Close();
    if (!closed.ok()) log::Warn("consumer groups: closing the journal: {}", closed.ToString());
  }
  if (own_flusher_) own_flusher_->Stop();
}

Result<std::unique_ptr<GroupStore>> GroupStore::Open(const GroupStoreOptions& options) {
  std::unique_ptr<GroupStore> store(new GroupStore(options));
  if (options.durability != storage::Durability::kMemory) SLUICE_RETURN_IF_ERROR(options.env->CreateDirs(store->dir_));
  storage::Flusher* flusher = options.flusher;
  if (flusher == nullptr && options.durability == storage::Durability::kFsync) {
    store->own_flusher_ = std::make_unique<storage::Flusher>();
    store->own_flusher_->Start();
    flusher = store->own_flusher_.get();
  }
  storage::LogOptions log;
  log.durability = options.durability;
  log.env = options.env;
  log.segment_max_bytes = options.journal_segment_bytes;
  auto journal = storage::ShardLog::Open(store->dir_ + "/journal", log, flusher);
  if (!journal.ok()) return journal.status();
  store->journal_ = std::move(journal).value();
  SLUICE_RETURN_IF_ERROR(store->Replay());
  return store;
}

const StoredGroup* GroupStore::Find(const GroupKey& key) const {
  auto it = groups_.find(key);
  return it == groups_.end() ? nullptr : &it->second;
}

Result<std::vector<GroupRecord>> GroupStore::GroupsOf(const engine::StreamRef& stream) const {
  std::vector<GroupRecord> out;
  for (auto it = groups_.lower_bound(GroupKey{stream.account, stream.region, stream.name, ""}); it != groups_.end();
       ++it) {
    const GroupKey& k = it->first;
    if (k.account != stream.account || k.region != stream.region || k.stream != stream.name) break;
    out.push_back(it->second.record);
  }
  return out;
}

Result<uint64_t> GroupStore::PutGroup(const GroupRecord& record) {
  return Append(kPutGroup, EncodeGroupRecord(record));
}

Result<uint64_t> GroupStore::DeleteGroup(const GroupKey& key) { return Append(kDeleteGroup, EncodeGroupKey(key)); }

Result<uint64_t> GroupStore::PutCheckpoint(const GroupKey& key, const Checkpoint& checkpoint) {
  return Append(kPutCheckpoint, EncodeCheckpoint(key, checkpoint));
}

void GroupStore::WhenDurable(uint64_t position, std::function<void(Status)> done) {
  journal_->WhenDurable(position, std::move(done));
}

uint64_t GroupStore::journal_start() const { return journal_->StartOffset(); }

Result<uint64_t> GroupStore::Append(char kind, const std::string& json) {
  const std::string data = kind + json;
  const storage::AppendEntry entry{"", data};
  // Arrival times never go backwards, so a snapshot's time bounds the
  // journal segments it covers.
  last_arrival_ms_ = std::max(last_arrival_ms_, SystemClock::Instance().NowMillis());
  Result<uint64_t> first = journal_->Append({&entry, 1}, last_arrival_ms_);
  if (!first.ok()) return first.status();
  SLUICE_RETURN_IF_ERROR(ApplyRecord(kind, json));
  Status compacted = MaybeCompact();
  if (!compacted.ok())
    log::Warn("consumer groups: compaction failed, the journal keeps growing: {}", compacted.ToString());
  return *first + 1;
}

Status GroupStore::ApplyRecord(char kind, std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc)) return Status::Corruption("a consumer group record is not JSON");
  switch (kind) {
    case kPutGroup: {
      SLUICE_ASSIGN_OR_RETURN(GroupRecord record, DecodeGroupRecord(doc));
      StoredGroup& group = groups_[record.key];
      // A group record names a new group (a deleted one's checkpoints are gone).
      group.checkpoints.clear();
      group.record = std::move(record);
      return Status::Ok();
    }
    case kDeleteGroup: {
      SLUICE_ASSIGN_OR_RETURN(GroupKey key, DecodeGroupKey(doc));
      groups_.erase(key);
      return Status::Ok();
    }
    case kPutCheckpoint: {
      SLUICE_ASSIGN_OR_RETURN(GroupKey key, DecodeGroupKey(doc));
      SLUICE_ASSIGN_OR_RETURN(Checkpoint checkpoint, DecodeCheckpoint(doc));
      auto it = groups_.find(key);
      if (it == groups_.end()) return Status::Ok();  // its group was deleted later in the same batch of changes
      it->second.checkpoints[checkpoint.shard_id] = std::move(checkpoint);
      return Status::Ok();
    }
    default: return Status::Corruption(std::string("a consumer group record of unknown kind '") + kind + "'");
  }
}

std::string GroupStore::SnapshotDocument(uint64_t end) const {
  std::string doc = "{\"version\":1,\"end\":" + std::to_string(end) + ",\"groups\":[";
  bool first_group = true;
  for (const auto& [key, group] : groups_) {
    if (!first_group) doc += ',';
    first_group = false;
    std::string record = EncodeGroupRecord(group.record);
    record.pop_back();  // the record's members, then its checkpoints
    doc += record + ",\"checkpoints\":[";
    bool first = true;
    for (const auto& [shard, checkpoint] : group.checkpoints) {
      if (!first) doc += ',';
      first = false;
      doc += EncodeCheckpoint(key, checkpoint, /*with_key=*/false);
    }
    doc += "]}";
  }
  return doc + "]}";
}

Status GroupStore::MaybeCompact() {
  if (options_.durability == storage::Durability::kMemory) return Status::Ok();
  // The state's size is known only by writing it out: the last measure
  // rules out most calls without that cost.
  if (journal_->SizeBytes() < 2 * state_bytes_ + options_.snapshot_slack_bytes) return Status::Ok();
  const uint64_t end = journal_->EndOffset();
  std::string doc = SnapshotDocument(end);
  state_bytes_ = doc.size();
  if (journal_->SizeBytes() < 2 * state_bytes_ + options_.snapshot_slack_bytes) return Status::Ok();
  // The snapshot covers the journal up to `end`: that much must be durable
  // first, or a crash could cut records the snapshot claims to cover and
  // their offsets would be reused by changes it does not hold.
  std::promise<Status> synced;
  journal_->WhenDurable(end, [&synced](Status s) { synced.set_value(std::move(s)); });
  SLUICE_RETURN_IF_ERROR(synced.get_future().get());
  SLUICE_RETURN_IF_ERROR(snapshot_store_.Save(doc));
  Result<uint64_t> start = journal_->TrimOlderThan(last_arrival_ms_);
  return start.ok() ? Status::Ok() : start.status();
}

Status GroupStore::Replay() {
  simdjson::dom::parser parser;
  uint64_t offset = journal_->StartOffset();
  Result<std::optional<std::string>> snapshot = snapshot_store_.Load();
  if (!snapshot.ok()) return snapshot.status();
  if (*snapshot) {
    simdjson::dom::element doc;
    uint64_t covered = 0;
    simdjson::dom::array groups;
    if (parser.parse(**snapshot).get(doc) || doc["end"].get_uint64().get(covered) ||
        doc["groups"].get_array().get(groups)) {
      return Status::Corruption("the consumer group snapshot in " + dir_ + " does not read back");
    }
    SLUICE_RETURN_IF_ERROR(storage::CheckSnapshotCovers(*journal_, covered, "the consumer group snapshot"));
    for (simdjson::dom::element json : groups) {
      SLUICE_ASSIGN_OR_RETURN(GroupRecord record, DecodeGroupRecord(json));
      StoredGroup& group = groups_[record.key];
      group.record = std::move(record);
      simdjson::dom::array checkpoints;
      if (json["checkpoints"].get_array().get(checkpoints)) {
        return Status::Corruption("the consumer group snapshot has a group without checkpoints");
      }
      for (simdjson::dom::element c : checkpoints) {
        SLUICE_ASSIGN_OR_RETURN(Checkpoint checkpoint, DecodeCheckpoint(c));
        group.checkpoints[checkpoint.shard_id] = std::move(checkpoint);
      }
    }
    offset = covered;
  } else if (offset > 0) {
    return Status::Corruption("the consumer group journal starts at " + std::to_string(offset) +
                              " and there is no snapshot");
  }
  return storage::ReplayJournal(*journal_, offset, [this](const storage::StoredRecord& r) -> Status {
    last_arrival_ms_ = std::max(last_arrival_ms_, r.arrival_ms);
    if (r.data.empty()) return Status::Corruption("consumer group record " + std::to_string(r.offset) + " is empty");
    Status applied = ApplyRecord(r.data[0], r.data.substr(1));
    if (!applied.ok()) {
      return Status::Corruption("consumer group record " + std::to_string(r.offset) + ": " + applied.message());
    }
    return Status::Ok();
  });
}

}  // namespace sluice::groups
