// GroupStore: the durable state of consumer groups — each group's record
// (stream, name, initial position, creation time) and its shards'
// checkpoints — in memory, made durable by an append-only journal of
// changes on a storage::ShardLog under <data-dir>/groups/ (CRC32C batches,
// group commit through a storage::Flusher, recovery that cuts a torn tail),
// as DynamoDB tables keep their items (dynamodb/table.h). Now and then a
// change compacts: every group and checkpoint is saved in one snapshot
// document (atomically, naming the journal offset it covers) and the
// journal segments it covers are deleted. Open() loads the snapshot and
// replays the journal after it. Format: docs/engine-formats.md, "Consumer
// groups".
//
// A change is applied in memory when it is appended; the caller answers the
// client only once WhenDurable() reports the change's position synced.
// Members, generations and assignments are not stored: after a restart
// every member joins again.
//
// Threading: not thread-safe; the caller (the Coordinator) serializes every
// call under its lock. WhenDurable's callback runs on the flusher thread, or
// inline.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "groups/group_records.h"
#include "groups/group_types.h"
#include "storage/metadata_store.h"
#include "storage/shard_log.h"
#include "util/status.h"

namespace sluice::groups {

struct GroupStoreOptions {
  std::string data_dir;  // the journal and snapshot go in <data_dir>/groups/
  storage::Durability durability = storage::Durability::kFsync;
  storage::Env* env = storage::Env::Default();
  uint64_t journal_segment_bytes = 4ull << 20;
  // A snapshot is written once the journal holds this many bytes more than
  // twice the snapshot's size.
  uint64_t snapshot_slack_bytes = 4ull << 20;
  // Syncs the journal (kFsync); null: the store runs a flusher of its own.
  storage::Flusher* flusher = nullptr;
};

class GroupStore final : public GroupRecords {
 public:
  // Opens (or creates) the store and replays it. Corruption when the
  // snapshot or a journal record in the middle does not read back; a torn
  // tail is cut by the journal's recovery.
  static Result<std::unique_ptr<GroupStore>> Open(const GroupStoreOptions& options);
  ~GroupStore();

  // One node answers for every group: nothing to claim.
  Result<bool> Claim(const GroupKey&) override { return false; }
  const std::map<GroupKey, StoredGroup>& groups() const override { return groups_; }
  const StoredGroup* Find(const GroupKey& key) const override;
  Result<std::vector<GroupRecord>> GroupsOf(const engine::StreamRef& stream) const override;

  // Each appends one journal record, applies it, and returns the journal
  // position to pass to WhenDurable. IoError when the append fails (then
  // nothing changed).
  Result<uint64_t> PutGroup(const GroupRecord& record) override;
  Result<uint64_t> DeleteGroup(const GroupKey& key) override;  // with its checkpoints
  Result<uint64_t> PutCheckpoint(const GroupKey& key, const Checkpoint& checkpoint) override;

  // Calls `done` once every change up to `position` is durable.
  void WhenDurable(uint64_t position, std::function<void(Status)> done) override;

  // For tests: the journal's first offset (raised by compaction).
  uint64_t journal_start() const;

 private:
  explicit GroupStore(const GroupStoreOptions& options);
  Status Replay();
  Status ApplyRecord(char kind, std::string_view json);
  Result<uint64_t> Append(char kind, const std::string& json);
  Status MaybeCompact();
  std::string SnapshotDocument(uint64_t end) const;

  GroupStoreOptions options_;
  std::string dir_;
  std::unique_ptr<storage::Flusher> own_flusher_;
  storage::MetadataStore snapshot_store_;
  std::unique_ptr<storage::ShardLog> journal_;
  std::map<GroupKey, StoredGroup> groups_;
  int64_t last_arrival_ms_ = 0;
  uint64_t state_bytes_ = 0;  // the snapshot's size when last measured
};

}  // namespace sluice::groups
