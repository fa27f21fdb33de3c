#include "dynamodb/table_store.h"

#include "util/log.h"

namespace sluice::dynamodb {

TableStore::TableStore(const StoreOptions& options) : options_(options) {
  if (options_.durability == storage::Durability::kFsync && options_.shared == nullptr) {
    flusher_ = std::make_unique<storage::Flusher>();
    flusher_->Start();
  }
}

TableStore::~TableStore() {
  std::lock_guard<std::mutex> lock(mu_);
  tables_.clear();  // closes each journal while the flusher still runs
  if (flusher_) flusher_->Stop();
}

Result<std::unique_ptr<TableStore>> TableStore::Open(const StoreOptions& options) {
  std::unique_ptr<TableStore> store(new TableStore(options));
  if (options.durability != storage::Durability::kMemory && options.shared == nullptr) {
    SLUICE_RETURN_IF_ERROR(store->LoadAll());
  }
  return store;
}

std::string TableStore::DirOf(const Name& name) const {
  return options_.data_dir + "/dynamodb/" + std::get<0>(name) + "/" + std::get<1>(name) + "/" + std::get<2>(name);
}

Status TableStore::LoadAll() {
  storage::Env* env = options_.env;
  std::string root = options_.data_dir + "/dynamodb";
  SLUICE_RETURN_IF_ERROR(env->CreateDirs(root));
  TableOptions topts{options_.durability, env};
  Result<std::vector<std::string>> accounts = env->ListDir(root);
  if (!accounts.ok()) return accounts.status();
  for (const std::string& account : *accounts) {
    Result<std::vector<std::string>> regions = env->ListDir(root + "/" + account);
    if (!regions.ok()) return regions.status();
    for (const std::string& region : *regions) {
      Result<std::vector<std::string>> names = env->ListDir(root + "/" + account + "/" + region);
      if (!names.ok()) return names.status();
      for (const std::string& table_name : *names) {
        Name name{account, region, table_name};
        std::string dir = DirOf(name);
        Result<std::unique_ptr<Table>> table = Table::Open(dir, topts, flusher_.get());
        if (!table.ok() && table.status().code() == ErrorCode::kResourceNotFound) {
          log::Warn("removing {}: a table creation that did not finish", dir);
          SLUICE_RETURN_IF_ERROR(env->RemoveAll(dir));
          continue;
        }
        if (!table.ok()) return Status(table.status().code(), "table " + dir + ": " + table.status().message());
        log::Info("dynamodb table {} ({}/{}): {} items", table_name, account, region, (*table)->items().size());
        tables_[name] = std::move(table).value();
      }
    }
  }
  return Status::Ok();
}

Result<std::shared_ptr<Table>> TableStore::Find(const std::string& account, const std::string& region,
                                                const std::string& name) const {
  if (options_.shared) return FindShared(Name{account, region, name});
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tables_.find(Name{account, region, name});
  if (it == tables_.end()) return Status::NotFound("Requested resource not found");
  return it->second;
}

Result<std::shared_ptr<Table>> TableStore::FindShared(const Name& name) const {
  SharedTableName shared_name{std::get<0>(name), std::get<1>(name), std::get<2>(name)};
  Result<std::optional<SharedTable>> found = options_.shared->Get(shared_name);
  if (!found.ok()) return found.status();
  std::lock_guard<std::mutex> lock(mu_);
  if (!*found) {
    tables_.erase(name);
    return Status::NotFound("Requested resource not found");
  }
  // A table whose definition changed is a new Table: calls still holding
  // the old one commit only if what they read is unchanged.
  auto it = tables_.find(name);
  if (it != tables_.end() && it->second->created() == (*found)->created &&
      it->second->def_revision() == (*found)->revision) {
    return it->second;
  }
  std::shared_ptr<Table> table = Table::Shared(options_.shared, std::move(shared_name), std::move(**found));
  tables_[name] = table;
  return table;
}

Result<std::shared_ptr<Table>> TableStore::Create(const std::string& account, const std::string& region, TableDef def) {
  Name name{account, region, def.name};
  if (options_.shared) {
    SharedTableName shared_name{account, region, def.name};
    Result<SharedTable> created = options_.shared->Create(shared_name, def);
    if (!created.ok()) return created.status();
    std::shared_ptr<Table> table = Table::Shared(options_.shared, std::move(shared_name), std::move(created).value());
    std::lock_guard<std::mutex> lock(mu_);
    tables_[name] = table;
    return table;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (tables_.count(name)) return Status::InUse("Table already exists: " + def.name);
  TableOptions topts{options_.durability, options_.env};
  Result<std::unique_ptr<Table>> table = Table::Create(DirOf(name), std::move(def), topts, flusher_.get());
  if (!table.ok()) return table.status();
  std::shared_ptr<Table> shared = std::move(table).value();
  tables_[name] = shared;
  return shared;
}

Status TableStore::Delete(const std::string& account, const std::string& region, const std::string& name) {
  if (options_.shared) {
    Status missing = Status::NotFound("Requested resource not found: Table: " + name + " not found");
    Result<std::shared_ptr<Table>> table = FindShared(Name{account, region, name});
    if (!table.ok()) return table.status().code() == ErrorCode::kResourceNotFound ? missing : table.status();
    Result<bool> deleted = options_.shared->Delete({account, region, name}, (*table)->created());
    if (!deleted.ok()) return deleted.status();
    std::lock_guard<std::mutex> lock(mu_);
    tables_.erase(Name{account, region, name});
    return *deleted ? Status::Ok() : missing;
  }
  std::shared_ptr<Table> table;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = tables_.find(Name{account, region, name});
    if (it == tables_.end()) return Status::NotFound("Requested resource not found: Table: " + name + " not found");
    table = it->second;
    tables_.erase(it);
  }
  std::lock_guard<std::mutex> lock(table->mu());
  return table->Destroy();
}

Result<std::vector<std::string>> TableStore::List(const std::string& account, const std::string& region) const {
  if (options_.shared) return options_.shared->List(account, region);
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, table] : tables_) {
    if (std::get<0>(name) == account && std::get<1>(name) == region) names.push_back(std::get<2>(name));
  }
  return names;
}

}  // namespace sluice::dynamodb
