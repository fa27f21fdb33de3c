// TableStore: every DynamoDB table, per (account, region), under
// <data-dir>/dynamodb/<account>/<region>/<table>/ (docs/dynamodb-format.md).
// Open() loads every table; a table directory without its table document
// (a CreateTable that crashed before it was acknowledged) is removed.
//
// In cluster mode (StoreOptions::shared) the tables are the store's, one
// set for every node, and nothing is kept in the data directory: Find reads
// the table's definition from the store on every call and hands out a
// Table::Shared of its current incarnation.
//
// Threading: all methods are thread-safe. Tables are shared: a table
// deleted while a call still uses it lives until that call ends.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <vector>

#include "dynamodb/table.h"
#include "storage/shard_log.h"
#include "util/status.h"

namespace sluice::dynamodb {

struct StoreOptions {
  std::string data_dir;
  storage::Durability durability = storage::Durability::kFsync;
  storage::Env* env = storage::Env::Default();
  // Cluster mode: the tables shared by every node (must outlive the store).
  SharedTables* shared = nullptr;
};

class TableStore {
 public:
  static Result<std::unique_ptr<TableStore>> Open(const StoreOptions& options);
  ~TableStore();

  // NotFound when the table does not exist.
  Result<std::shared_ptr<Table>> Find(const std::string& account, const std::string& region,
                                      const std::string& name) const;
  // InUse "Table already exists: <name>" when it does.
  Result<std::shared_ptr<Table>> Create(const std::string& account, const std::string& region, TableDef def);
  // Removes the table and its files. NotFound when it does not exist.
  Status Delete(const std::string& account, const std::string& region, const std::string& name);
  // Table names of the account and region, in order.
  Result<std::vector<std::string>> List(const std::string& account, const std::string& region) const;

 private:
  using Name = std::tuple<std::string, std::string, std::string>;  // account, region, table
  explicit TableStore(const StoreOptions& options);
  std::string DirOf(const Name& name) const;
  Status LoadAll();
  Result<std::shared_ptr<Table>> FindShared(const Name& name) const;

  StoreOptions options_;
  std::unique_ptr<storage::Flusher> flusher_;
  mutable std::mutex mu_;
  // Cluster mode: the incarnation each table had when last found.
  mutable std::map<Name, std::shared_ptr<Table>> tables_;
};

}  // namespace sluice::dynamodb
