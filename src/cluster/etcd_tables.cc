#include "cluster/etcd_tables.h"

#include <map>

#include <simdjson.h>

namespace sluice::cluster {
namespace {

using dynamodb::SharedTableName;
using dynamodb::VersionedItem;

std::string TableKey(const SharedTableName& name) {
  return std::string(kDynamoTablesPrefix) + name.account + "/" + name.region + "/" + name.name;
}

std::string ItemsPrefix(const SharedTableName& name, int64_t created) {
  return std::string(kDynamoItemsPrefix) + name.account + "/" + name.region + "/" + name.name + "/" +
         std::to_string(created) + "/";
}

void AppendElement(std::string* out, const dynamodb::Value& v) {
  *out += dynamodb::TypeName(v.type);
  *out += std::to_string(v.scalar.size()) + ":" + v.scalar;
}

Result<dynamodb::SharedTable> DecodeTable(const KeyValue& kv) {
  Result<dynamodb::TableDef> def = dynamodb::DecodeTableDef(kv.value);
  if (!def.ok()) return Status::Corruption("the DynamoDB table at " + kv.key + ": " + def.status().message());
  return dynamodb::SharedTable{std::move(def).value(), kv.create_revision, kv.mod_revision};
}

Result<VersionedItem> DecodeItem(const KeyValue& kv) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element json;
  if (parser.parse(kv.value).get(json)) return Status::Corruption("the DynamoDB item at " + kv.key + " is not JSON");
  Result<dynamodb::Item> item = dynamodb::ItemFromJson(json);
  if (!item.ok()) return Status::Corruption("the DynamoDB item at " + kv.key + ": " + item.status().message());
  return VersionedItem{std::move(item).value(), kv.mod_revision};
}

}  // namespace

std::string DynamoItemKey(const dynamodb::ItemKey& key) {
  std::string out;
  AppendElement(&out, key.hash);
  if (key.range) AppendElement(&out, *key.range);
  return out;
}

Result<std::optional<dynamodb::SharedTable>> EtcdTables::Get(const SharedTableName& name) {
  Result<std::optional<KeyValue>> kv = client_.Get(TableKey(name));
  if (!kv.ok()) return kv.status();
  if (!*kv) return std::optional<dynamodb::SharedTable>();
  Result<dynamodb::SharedTable> table = DecodeTable(**kv);
  if (!table.ok()) return table.status();
  return std::optional<dynamodb::SharedTable>(std::move(table).value());
}

Result<dynamodb::SharedTable> EtcdTables::Create(const SharedTableName& name, const dynamodb::TableDef& def) {
  Result<TxnResult> txn = client_.CompareAndSwap(TableKey(name), 0, dynamodb::EncodeTableDef(def));
  if (!txn.ok()) return txn.status();
  // A retried create that etcd had applied finds its own definition.
  if (!txn->succeeded && (txn->kvs.empty() || txn->kvs.front().value != dynamodb::EncodeTableDef(def))) {
    return Status::InUse("Table already exists: " + name.name);
  }
  if (!txn->succeeded) return DecodeTable(txn->kvs.front());
  return dynamodb::SharedTable{def, txn->revision, txn->revision};
}

Result<std::optional<int64_t>> EtcdTables::Update(const SharedTableName& name, int64_t created, int64_t revision,
                                                  const dynamodb::TableDef& def) {
  std::string key = TableKey(name);
  Compare same_table{Compare::Target::kCreateRevision, Compare::Op::kEqual, key, created, {}};
  Result<TxnResult> txn = client_.Txn({same_table, Compare::ModRevision(key, revision)},
                                      {TxnOp::Put(key, dynamodb::EncodeTableDef(def))}, {});
  if (!txn.ok()) return txn.status();
  return txn->succeeded ? std::optional<int64_t>(txn->revision) : std::nullopt;
}

Result<bool> EtcdTables::Delete(const SharedTableName& name, int64_t created) {
  std::string key = TableKey(name);
  Compare same_table{Compare::Target::kCreateRevision, Compare::Op::kEqual, key, created, {}};
  Result<TxnResult> txn =
      client_.Txn({same_table}, {TxnOp::Delete(key), TxnOp::DeletePrefix(ItemsPrefix(name, created))}, {});
  if (!txn.ok()) return txn.status();
  return txn->succeeded;
}

Result<std::vector<std::string>> EtcdTables::List(const std::string& account, const std::string& region) {
  std::string prefix = std::string(kDynamoTablesPrefix) + account + "/" + region + "/";
  Result<RangeResult> range = client_.GetPrefix(prefix);
  if (!range.ok()) return range.status();
  std::vector<std::string> names;
  for (const KeyValue& kv : range->kvs) names.push_back(kv.key.substr(prefix.size()));
  return names;
}

Result<std::vector<VersionedItem>> EtcdTables::Read(const SharedTableName& table, int64_t created,
                                                    const std::vector<dynamodb::ItemKey>& keys) {
  const std::string prefix = ItemsPrefix(table, created);
  std::vector<TxnOp> gets;
  for (const dynamodb::ItemKey& key : keys) gets.push_back(TxnOp::Get(prefix + DynamoItemKey(key)));
  std::vector<KeyValue> kvs;
  if (gets.size() == 1) {
    Result<std::optional<KeyValue>> kv = client_.Get(gets.front().key);
    if (!kv.ok()) return kv.status();
    if (*kv) kvs.push_back(std::move(**kv));
  } else if (!gets.empty()) {
    Result<TxnResult> txn = client_.Txn({}, gets, {});  // one revision for all
    if (!txn.ok()) return txn.status();
    kvs = std::move(txn->kvs);
  }
  std::map<std::string_view, const KeyValue*> found;
  for (const KeyValue& kv : kvs) found[kv.key] = &kv;
  std::vector<VersionedItem> items;
  for (const TxnOp& get : gets) {
    auto it = found.find(get.key);
    if (it == found.end()) {
      items.emplace_back();
      continue;
    }
    Result<VersionedItem> item = DecodeItem(*it->second);
    if (!item.ok()) return item.status();
    items.push_back(std::move(item).value());
  }
  return items;
}

Result<std::vector<VersionedItem>> EtcdTables::ReadAll(const SharedTableName& table, int64_t created) {
  Result<RangeResult> range = client_.GetPrefix(ItemsPrefix(table, created));
  if (!range.ok()) return range.status();
  std::vector<VersionedItem> items;
  for (const KeyValue& kv : range->kvs) {
    Result<VersionedItem> item = DecodeItem(kv);
    if (!item.ok()) return item.status();
    items.push_back(std::move(item).value());
  }
  return items;
}

Result<std::optional<int64_t>> EtcdTables::Commit(const std::vector<dynamodb::SharedWrite>& writes) {
  std::vector<Compare> compares;
  std::vector<TxnOp> ops;
  size_t bytes = 0;
  for (const dynamodb::SharedWrite& w : writes) {
    compares.push_back({Compare::Target::kCreateRevision, Compare::Op::kEqual, TableKey(w.table), w.created, {}});
    const std::string prefix = ItemsPrefix(w.table, w.created);
    for (const auto& [key, revision] : w.expected) {
      compares.push_back(Compare::ModRevision(prefix + DynamoItemKey(*key), revision));
    }
    for (const dynamodb::Mutation& m : *w.mutations) {
      std::string key = prefix + DynamoItemKey(m.key);
      ops.push_back(m.item ? TxnOp::Put(key, dynamodb::ItemToJson(*m.item)) : TxnOp::Delete(key));
      bytes += key.size() + ops.back().value.size();
    }
  }
  if (bytes > kMaxDynamoCommitBytes) {
    return Status::Validation("The request writes " + std::to_string(bytes) +
                              " bytes of keys and items, more than the cluster's limit of " +
                              std::to_string(kMaxDynamoCommitBytes) + " bytes per transaction");
  }
  Result<TxnResult> txn = client_.Txn(compares, ops, {});
  if (!txn.ok()) return txn.status();
  return txn->succeeded ? std::optional<int64_t>(txn->revision) : std::nullopt;
}

}  // namespace sluice::cluster
