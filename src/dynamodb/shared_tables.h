// SharedTables: where the DynamoDB tables live when several nodes serve them
// (cluster mode: cluster/etcd_tables.h keeps them in etcd). Every node reads
// and writes the one store, so a table is one table whichever node a call
// reaches. A single node has none: TableStore keeps its tables in its data
// directory (docs/dynamodb-format.md).
//
// Versions: the store numbers its changes (revisions). A table's
// incarnation is named by the revision that created it, so a table deleted
// and created again never sees the items of the one before; each item
// carries the revision of its last change (0: absent). A commit names the
// revision of every item its decision read, and applies only if none has
// changed since and the incarnation still exists (compare-and-swap): a
// condition checked on one node still holds when the write lands.
//
// Reads are linearizable: they see every commit acknowledged before they
// started, through any node.
//
// Threading: every method may be called from any number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dynamodb/attribute_value.h"
#include "dynamodb/table_def.h"
#include "util/status.h"

namespace sluice::dynamodb {

struct ItemKey;
struct Mutation;

struct SharedTableName {
  std::string account;
  std::string region;
  std::string name;
};

// One incarnation of a table as the store holds it.
struct SharedTable {
  TableDef def;
  int64_t created = 0;   // the revision that created it
  int64_t revision = 0;  // the revision of the definition's last change
};

// An item as read, with the revision of its last change; nullopt and 0
// when absent.
struct VersionedItem {
  std::optional<Item> item;
  int64_t revision = 0;
};

// One table's part of a commit.
struct SharedWrite {
  SharedTableName table;
  int64_t created = 0;
  // Each key the decision read, with the revision it was read at.
  std::vector<std::pair<const ItemKey*, int64_t>> expected;
  const std::vector<Mutation>* mutations = nullptr;
};

class SharedTables {
 public:
  virtual ~SharedTables() = default;

  // The most a commit may write (keys and items), in bytes; more is refused
  // with a ValidationException.
  virtual size_t max_commit_bytes() const = 0;

  // The table's current incarnation, nullopt when there is none.
  virtual Result<std::optional<SharedTable>> Get(const SharedTableName& name) = 0;
  // Creates the table if no node has: ResourceInUse "Table already exists:
  // <name>" otherwise.
  virtual Result<SharedTable> Create(const SharedTableName& name, const TableDef& def) = 0;
  // Replaces the definition of the incarnation `created` if it is still at
  // `revision`: the new revision, or nullopt when it changed (or the table
  // is gone).
  virtual Result<std::optional<int64_t>> Update(const SharedTableName& name, int64_t created, int64_t revision,
                                                const TableDef& def) = 0;
  // Removes the incarnation `created` and its items: false when it is gone.
  virtual Result<bool> Delete(const SharedTableName& name, int64_t created) = 0;
  // The names of the tables of an account and region, in order.
  virtual Result<std::vector<std::string>> List(const std::string& account, const std::string& region) = 0;

  // The items of `keys` (of the incarnation `created`), in their order, all
  // read at one revision.
  virtual Result<std::vector<VersionedItem>> Read(const SharedTableName& table, int64_t created,
                                                  const std::vector<ItemKey>& keys) = 0;
  // Every item of the incarnation, at one revision.
  virtual Result<std::vector<VersionedItem>> ReadAll(const SharedTableName& table, int64_t created) = 0;
  // Applies every write's mutations, all or none, if every expected
  // revision still holds and every incarnation exists: the commit's
  // revision, or nullopt when something changed (nothing written).
  // Errors: ValidationException over max_commit_bytes(); the store's own.
  virtual Result<std::optional<int64_t>> Commit(const std::vector<SharedWrite>& writes) = 0;
};

}  // namespace sluice::dynamodb
