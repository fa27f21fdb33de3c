// Table: one DynamoDB table's items, in memory in key order, made durable
// by an append-only journal of item changes (a storage::ShardLog: CRC32C
// batches, group commit with fdatasync in fsync mode, recovery that cuts a
// torn or corrupt tail). Now and then Write compacts: it saves every item
// in a snapshot document (atomically, naming the journal offset it covers)
// and deletes the journal segments the snapshot covers. Opening a table
// loads the snapshot and replays the journal after it. Format:
// docs/dynamodb-format.md.
//
// Threading: the caller holds mu() around every read of items and every
// Write, so a condition check and the write it guards are atomic. Durable
// completion (WhenDurable) needs no lock.
//
// A shared table (cluster mode, Table::Shared) keeps its items in a
// SharedTables store instead (shared_tables.h): items() holds only what the
// last Load or LoadAll read, so every call loads what it reads, decides, and
// writes through WriteTables, which applies only if nothing it read has
// changed since (then the call loads and decides again).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dynamodb/attribute_value.h"
#include "dynamodb/shared_tables.h"
#include "dynamodb/table_def.h"
#include "storage/metadata_store.h"
#include "storage/shard_log.h"
#include "util/status.h"

namespace sluice::dynamodb {

// An item's primary key values.
struct ItemKey {
  Value hash;
  std::optional<Value> range;
};

// Key order: hash, then range; N by value, S and B by unsigned bytes.
struct KeyLess {
  bool operator()(const ItemKey& a, const ItemKey& b) const;
};

using ItemMap = std::map<ItemKey, Item, KeyLess>;

// One change of a write: the new item, or a deletion of `key`.
struct Mutation {
  ItemKey key;
  std::optional<Item> item;  // nullopt: delete
};

struct TableOptions {
  storage::Durability durability = storage::Durability::kFsync;
  storage::Env* env = storage::Env::Default();
  // The journal's segment size; segments wholly covered by a snapshot are
  // deleted.
  uint64_t journal_segment_bytes = 4ull << 20;
  // A snapshot is written once the journal holds this many bytes more than
  // twice the items' size.
  uint64_t snapshot_slack_bytes = 8ull << 20;
};

class Table;
struct TableWrite;
// Journal positions to answer at, per table.
using Positions = std::vector<std::pair<Table*, uint64_t>>;

class Table {
 public:
  // Creates the table in `dir` (which must not hold one) and saves `def`.
  static Result<std::unique_ptr<Table>> Create(const std::string& dir, TableDef def, const TableOptions& options,
                                               storage::Flusher* flusher);
  // Opens the table saved in `dir`, replaying its journal. NotFound when
  // the directory holds no table document (a creation that never finished).
  static Result<std::unique_ptr<Table>> Open(const std::string& dir, const TableOptions& options,
                                             storage::Flusher* flusher);
  // The incarnation `table` of `name` in `store` (which must outlive it).
  static std::unique_ptr<Table> Shared(SharedTables* store, SharedTableName name, SharedTable table);

  bool shared() const { return store_ != nullptr; }
  // A shared table's incarnation and the revision of the definition it
  // holds (any thread); 0 for a table of one node.
  int64_t created() const { return created_; }
  int64_t def_revision() const { return def_revision_.load(); }

  std::mutex& mu() const { return mu_; }

  // The rest require mu().
  const TableDef& def() const { return def_; }
  // Replaces the definition durably (UpdateTable, TTL, backups). A shared
  // table's only if no other node changed it since: ResourceInUse otherwise.
  Status SaveDef(TableDef def);
  // A shared table: items() becomes the items of `keys` (Load) or every item
  // (LoadAll) as the store holds them now. A no-op for a table of one node.
  Status Load(const std::vector<ItemKey>& keys);
  Status LoadAll();
  const ItemMap& items() const { return items_; }
  const Item* Find(const ItemKey& key) const;
  uint64_t size_bytes() const { return size_bytes_; }
  // The journal position after the last write: a read answers once it is
  // durable (Call::RespondWhenDurable).
  uint64_t end_position() const;

  // The key of `item` per the table's schema: ValidationException with the
  // service's messages when an attribute is missing or of the wrong type.
  Result<ItemKey> KeyOf(const Item& item) const;

  // Appends `mutations` to the journal as one batch (all or none survive a
  // crash) and applies them. Returns the journal position to wait for. May
  // compact first (a snapshot and a journal trim; in fsync mode it waits
  // for the journal's sync).
  Result<uint64_t> Write(const std::vector<Mutation>& mutations);

  // Calls `done` once every write up to `position` is durable (see
  // ShardLog::WhenDurable: on the flusher thread, or inline).
  void WhenDurable(uint64_t position, std::function<void(Status)> done);

  // Closes and removes the table's files.
  Status Destroy();

 private:
  friend Result<std::optional<Positions>> WriteTables(const std::vector<TableWrite>& writes, bool atomic);

  Table(std::string dir, const TableOptions& options);
  Status Replay();
  void Apply(const Mutation& m);
  // A shared table: items() and revisions_ cleared.
  void Forget();
  // The revision `key` was loaded at (0: absent, or not loaded).
  int64_t RevisionOf(const ItemKey& key) const;
  // Saves a snapshot of every item once the journal has grown enough, then
  // deletes the journal segments it covers.
  Status MaybeCompact();

  mutable std::mutex mu_;
  std::string dir_;
  TableOptions options_;
  storage::MetadataStore def_store_;
  storage::MetadataStore snapshot_store_;
  std::unique_ptr<storage::ShardLog> journal_;
  TableDef def_;
  ItemMap items_;
  uint64_t size_bytes_ = 0;
  int64_t last_arrival_ms_ = 0;
  // A shared table's store, name, incarnation and loaded revisions.
  SharedTables* store_ = nullptr;
  SharedTableName name_;
  int64_t created_ = 0;
  std::atomic<int64_t> def_revision_{0};
  std::map<ItemKey, int64_t, KeyLess> revisions_;
};

// One table's part of a write: the mutations, and the keys whose items the
// decision read (loaded by Table::Load under the same hold of mu()).
struct TableWrite {
  Table* table = nullptr;
  std::vector<ItemKey> read;
  std::vector<Mutation> mutations;
};

// Writes every part; requires every table's mu(). Tables of one node: each
// table's mutations as one journal batch, never nullopt; the positions to
// answer at. Shared tables: all parts as one commit (atomic) or in commits
// of at most SharedTables::max_commit_bytes() (not atomic: BatchWriteItem),
// applied only if nothing read changed since it was loaded; nullopt when it
// had (nothing written: load and decide again); no positions to wait for.
Result<std::optional<Positions>> WriteTables(const std::vector<TableWrite>& writes, bool atomic);

// Encodes an item key as a one- or two-attribute item.
Item KeyItem(const KeySchema& schema, const ItemKey& key);

}  // namespace sluice::dynamodb
