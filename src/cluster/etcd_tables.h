// The DynamoDB tables of cluster mode in etcd (dynamodb/shared_tables.h;
// docs/cluster.md, "DynamoDB tables"):
//
//   /sluice/v1/dynamodb/tables/<account>/<region>/<table>
//     the table's definition, dynamodb::EncodeTableDef; its create_revision
//     names the incarnation
//   /sluice/v1/dynamodb/items/<account>/<region>/<table>/<incarnation>/<key>
//     one item, as the JSON of a wire item; <key> is the hash key and then
//     the range key, each as its type letter, its length in decimal, ':'
//     and its bytes ("S12:shardId-0001")
//
// A commit is one etcd transaction: it compares the definition's
// create_revision with the incarnation and every item read with the
// mod_revision it was read at (0: absent), then puts and deletes. Reads are
// etcd's linearizable ranges; Read takes every key in one transaction, so
// they are read at one revision.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "cluster/etcd_client.h"
#include "dynamodb/shared_tables.h"
#include "dynamodb/table.h"

namespace sluice::cluster {

inline constexpr std::string_view kDynamoTablesPrefix = "/sluice/v1/dynamodb/tables/";
inline constexpr std::string_view kDynamoItemsPrefix = "/sluice/v1/dynamodb/items/";
// The most one commit writes: etcd refuses a request over 1.5 MiB (its
// --max-request-bytes default); the rest is room for keys and compares.
inline constexpr size_t kMaxDynamoCommitBytes = 1 << 20;

// The key of an item (its hash key, then its range key, as above).
std::string DynamoItemKey(const dynamodb::ItemKey& key);

class EtcdTables final : public dynamodb::SharedTables {
 public:
  // `client` must outlive the tables.
  explicit EtcdTables(EtcdClient& client) : client_(client) {}

  size_t max_commit_bytes() const override { return kMaxDynamoCommitBytes; }
  Result<std::optional<dynamodb::SharedTable>> Get(const dynamodb::SharedTableName& name) override;
  Result<dynamodb::SharedTable> Create(const dynamodb::SharedTableName& name, const dynamodb::TableDef& def) override;
  Result<std::optional<int64_t>> Update(const dynamodb::SharedTableName& name, int64_t created, int64_t revision,
                                        const dynamodb::TableDef& def) override;
  Result<bool> Delete(const dynamodb::SharedTableName& name, int64_t created) override;
  Result<std::vector<std::string>> List(const std::string& account, const std::string& region) override;
  Result<std::vector<dynamodb::VersionedItem>> Read(const dynamodb::SharedTableName& table, int64_t created,
                                                    const std::vector<dynamodb::ItemKey>& keys) override;
  Result<std::vector<dynamodb::VersionedItem>> ReadAll(const dynamodb::SharedTableName& table,
                                                       int64_t created) override;
  Result<std::optional<int64_t>> Commit(const std::vector<dynamodb::SharedWrite>& writes) override;

 private:
  EtcdClient& client_;
};

}  // namespace sluice::cluster
