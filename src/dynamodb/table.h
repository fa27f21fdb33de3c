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
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "dynamodb/attribute_value.h"
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

class Table {
 public:
  // Creates the table in `dir` (which must not hold one) and saves `def`.
  static Result<std::unique_ptr<Table>> Create(const std::string& dir, TableDef def, const TableOptions& options,
                                               storage::Flusher* flusher);
  // Opens the table saved in `dir`, replaying its journal. NotFound when
  // the directory holds no table document (a creation that never finished).
  static Result<std::unique_ptr<Table>> Open(const std::string& dir, const TableOptions& options,
                                             storage::Flusher* flusher);

  std::mutex& mu() const { return mu_; }

  // The rest require mu().
  const TableDef& def() const { return def_; }
  // Replaces the definition durably (UpdateTable, TTL, backups).
  Status SaveDef(TableDef def);
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
  Table(std::string dir, const TableOptions& options);
  Status Replay();
  void Apply(const Mutation& m);
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
};

// Encodes an item key as a one- or two-attribute item.
Item KeyItem(const KeySchema& schema, const ItemKey& key);

}  // namespace sluice::dynamodb
