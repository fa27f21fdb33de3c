// BatchGetItem, BatchWriteItem and TransactWriteItems.
#include <algorithm>
#include <set>

#include "dynamodb/expression_eval.h"
#include "dynamodb/item_write.h"
#include "dynamodb/operations.h"
#include "protocol/json_writer.h"

namespace sluice::dynamodb {
namespace {

constexpr size_t kMaxBatchGetKeys = 100;
constexpr size_t kMaxBatchWrites = 25;
constexpr size_t kMaxTransactItems = 100;

Status NullRequestItems() {
  return Status::Validation(
      "1 validation error detected: Value null at 'requestItems' failed to satisfy "
      "constraint: Member must not be null");
}

// Locks the tables in one global order (their addresses), so that
// concurrent multi-table calls cannot deadlock.
std::vector<std::unique_lock<std::mutex>> LockAll(std::vector<Table*> tables) {
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  for (Table* t : tables) locks.emplace_back(t->mu());
  return locks;
}

bool SameItem(const std::shared_ptr<Table>& ta, const ItemKey& a, const std::shared_ptr<Table>& tb, const ItemKey& b) {
  KeyLess less;
  return ta == tb && !less(a, b) && !less(b, a);
}

}  // namespace

void BatchGetItem(Call& call) {
  std::optional<simdjson::dom::object> requests = call.body.Object("RequestItems");
  if (!call.body.error().ok()) return call.Fail(call.body.error());
  if (!requests) return call.Fail(NullRequestItems());
  struct TableRead {
    std::string name;
    std::shared_ptr<Table> table;
    std::vector<ItemKey> keys;
    std::vector<Path> projection;
  };
  std::vector<TableRead> reads;
  // Every ExpressionInputs must outlive its parse: keep them all.
  std::vector<std::unique_ptr<ExpressionInputs>> inputs;
  size_t total = 0;
  for (auto [name, spec] : *requests) {
    simdjson::dom::object spec_object;
    if (spec.get_object().get(spec_object)) return call.Fail(Status::Serialization("Unexpected value type"));
    Status s = CheckTableName(name, "requestItems.key");
    if (!s.ok()) return call.Fail(s);
    TableRead read;
    read.name = std::string(name);
    Result<std::shared_ptr<Table>> table = call.store.Find(call.account, call.region, read.name);
    if (!table.ok()) return call.Fail(table.status());
    read.table = std::move(table).value();
    Members m(spec_object);
    inputs.push_back(std::make_unique<ExpressionInputs>());
    s = inputs.back()->Read(m);
    if (s.ok()) s = ReadProjection(m, *inputs.back(), &read.projection);
    if (s.ok()) s = CheckAllPlaceholdersUsed(inputs.back()->placeholders);
    std::optional<simdjson::dom::array> keys = m.Array("Keys");
    m.Bool("ConsistentRead");
    if (s.ok()) s = m.error();
    if (!s.ok()) return call.Fail(s);
    if (!keys || keys->size() == 0) {
      return call.Fail(Status::Validation("1 validation error detected: Value null at 'requestItems." + read.name +
                                          ".member.keys' failed to satisfy constraint: Member must not be null"));
    }
    std::lock_guard<std::mutex> lock(read.table->mu());
    for (simdjson::dom::element e : *keys) {
      simdjson::dom::object key_json;
      if (e.get_object().get(key_json)) return call.Fail(Status::Serialization("Unexpected value type"));
      Result<ItemKey> key = ReadKey(*read.table, key_json);
      if (!key.ok()) return call.Fail(key.status());
      for (const ItemKey& seen : read.keys) {
        if (SameItem(read.table, seen, read.table, *key)) {
          return call.Fail(Status::Validation("Provided list of item keys contains duplicates"));
        }
      }
      read.keys.push_back(std::move(key).value());
    }
    total += read.keys.size();
    reads.push_back(std::move(read));
  }
  if (reads.empty()) {
    return call.Fail(
        Status::Validation("1 validation error detected: Value '{}' at 'requestItems' failed to satisfy "
                           "constraint: Member must have length greater than or equal to 1"));
  }
  if (total > kMaxBatchGetKeys) {
    return call.Fail(Status::Validation("Too many items requested for the BatchGetItem call"));
  }
  std::string json;
  protocol::JsonWriter w(&json);
  w.BeginObject();
  w.Key("Responses");
  w.BeginObject();
  std::vector<std::pair<Table*, uint64_t>> seen;
  for (const TableRead& read : reads) {
    WriteKey(w, read.name);
    w.BeginArray();
    std::lock_guard<std::mutex> lock(read.table->mu());
    Status loaded = read.table->Load(read.keys);
    if (!loaded.ok()) return call.Fail(loaded);
    seen.emplace_back(read.table.get(), read.table->end_position());
    for (const ItemKey& key : read.keys) {
      if (const Item* item = read.table->Find(key)) {
        WriteItem(w, read.projection.empty() ? *item : Project(*item, read.projection));
      }
    }
    w.EndArray();
  }
  w.EndObject();
  w.Key("UnprocessedKeys");
  w.BeginObject();
  w.EndObject();
  w.EndObject();
  call.OkWhenDurable(seen, std::move(json));
}

void BatchWriteItem(Call& call) {
  std::optional<simdjson::dom::object> requests = call.body.Object("RequestItems");
  if (!call.body.error().ok()) return call.Fail(call.body.error());
  if (!requests) return call.Fail(NullRequestItems());
  struct Write {
    std::shared_ptr<Table> table;
    Mutation mutation;
  };
  std::vector<Write> writes;
  for (auto [name, list] : *requests) {
    simdjson::dom::array list_array;
    if (list.get_array().get(list_array)) return call.Fail(Status::Serialization("Unexpected value type"));
    Status s = CheckTableName(name, "requestItems.key");
    if (!s.ok()) return call.Fail(s);
    Result<std::shared_ptr<Table>> table = call.store.Find(call.account, call.region, std::string(name));
    if (!table.ok()) return call.Fail(table.status());
    std::lock_guard<std::mutex> lock((*table)->mu());
    for (simdjson::dom::element e : list_array) {
      simdjson::dom::object request, put, del;
      if (e.get_object().get(request)) return call.Fail(Status::Serialization("Unexpected value type"));
      bool is_put = !request["PutRequest"].get_object().get(put);
      bool is_delete = !request["DeleteRequest"].get_object().get(del);
      if (is_put == is_delete) {
        return call.Fail(
            Status::Validation("Supplied AttributeValue has more than one datatypes set, must contain "
                               "exactly one of the supported datatypes"));
      }
      Write write;
      write.table = *table;
      if (is_put) {
        simdjson::dom::object item_json;
        if (put["Item"].get_object().get(item_json)) {
          return call.Fail(Status::Validation("1 validation error detected: Value null at 'requestItems." +
                                              std::string(name) +
                                              ".member.putRequest.item' failed to satisfy "
                                              "constraint: Member must not be null"));
        }
        Result<Item> item = ItemFromJson(item_json);
        if (!item.ok()) return call.Fail(item.status());
        Result<ItemKey> key = (*table)->KeyOf(*item);
        if (!key.ok()) return call.Fail(key.status());
        if (ItemSize(*item) > kMaxItemBytes) {
          return call.Fail(Status::Validation("Item size has exceeded the maximum allowed size"));
        }
        write.mutation = Mutation{std::move(key).value(), std::move(item).value()};
      } else {
        simdjson::dom::object key_json;
        if (del["Key"].get_object().get(key_json)) {
          return call.Fail(Status::Validation("1 validation error detected: Value null at 'requestItems." +
                                              std::string(name) +
                                              ".member.deleteRequest.key' failed to satisfy "
                                              "constraint: Member must not be null"));
        }
        Result<ItemKey> key = ReadKey(**table, key_json);
        if (!key.ok()) return call.Fail(key.status());
        write.mutation = Mutation{std::move(key).value(), std::nullopt};
      }
      for (const Write& other : writes) {
        if (SameItem(other.table, other.mutation.key, write.table, write.mutation.key)) {
          return call.Fail(Status::Validation("Provided list of item keys contains duplicates"));
        }
      }
      writes.push_back(std::move(write));
    }
  }
  if (writes.empty() || writes.size() > kMaxBatchWrites) {
    return call.Fail(Status::Validation(
        "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy "
        "constraint: [Member must have length less than or equal to 25, Member must have length greater than or "
        "equal to 1]"));
  }
  // One journal batch per table (shared tables: commits as large as the
  // store allows; a batch is not atomic).
  std::vector<Table*> tables;
  for (const Write& write : writes) tables.push_back(write.table.get());
  auto locks = LockAll(tables);
  std::sort(tables.begin(), tables.end());
  tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
  std::vector<TableWrite> parts;
  for (Table* table : tables) {
    parts.push_back({table, {}, {}});
    for (const Write& write : writes) {
      if (write.table.get() == table) parts.back().mutations.push_back(write.mutation);
    }
  }
  auto positions = WriteTables(parts, /*atomic=*/false);
  if (!positions.ok()) return call.Fail(positions.status());
  if (!*positions) return FailContended(call);  // a table deleted meanwhile
  locks.clear();
  call.OkWhenDurable(**positions, "{\"UnprocessedItems\":{}}");
}

void TransactWriteItems(Call& call) {
  std::optional<simdjson::dom::array> items = call.body.Array("TransactItems");
  call.body.String("ClientRequestToken");  // idempotency is not kept
  if (!call.body.error().ok()) return call.Fail(call.body.error());
  if (!items) {
    return call.Fail(
        Status::Validation("1 validation error detected: Value null at 'transactItems' failed to "
                           "satisfy constraint: Member must not be null"));
  }
  if (items->size() == 0 || items->size() > kMaxTransactItems) {
    return call.Fail(
        Status::Validation("1 validation error detected: Value at 'transactItems' failed to satisfy "
                           "constraint: Member must have length less than or equal to 100, Member "
                           "must have length greater than or equal to 1"));
  }
  for (int attempt = 1; attempt <= kMaxWriteAttempts; ++attempt) {
    std::vector<ItemWrite> writes;
    for (simdjson::dom::element e : *items) {
      simdjson::dom::object element, inner;
      if (e.get_object().get(element)) return call.Fail(Status::Serialization("Unexpected value type"));
      std::optional<ItemWrite::Kind> kind;
      for (auto [name, k] :
           {std::pair{"ConditionCheck", ItemWrite::Kind::kCheck}, std::pair{"Put", ItemWrite::Kind::kPut},
            std::pair{"Delete", ItemWrite::Kind::kDelete}, std::pair{"Update", ItemWrite::Kind::kUpdate}}) {
        simdjson::dom::object o;
        if (!element[name].get_object().get(o)) {
          if (kind) {
            return call.Fail(Status::Validation("TransactItems can only contain one of Check, Put, Update or Delete"));
          }
          kind = k;
          inner = o;
        }
      }
      if (!kind) {
        return call.Fail(Status::Validation("TransactItems can only contain one of Check, Put, Update or Delete"));
      }
      Members m(inner);
      Result<ItemWrite> write = ReadItemWrite(call, m, *kind);
      if (!write.ok()) return call.Fail(write.status());
      for (const ItemWrite& other : writes) {
        if (SameItem(other.table, other.key, write->table, write->key)) {
          return call.Fail(Status::Validation("Transaction request cannot include multiple operations on one item"));
        }
      }
      writes.push_back(std::move(write).value());
    }
    std::vector<Table*> tables;
    for (const ItemWrite& w : writes) tables.push_back(w.table.get());
    auto locks = LockAll(tables);
    std::sort(tables.begin(), tables.end());
    tables.erase(std::unique(tables.begin(), tables.end()), tables.end());
    // A shared table's items are loaded first, each table's at one revision.
    for (Table* table : tables) {
      std::vector<ItemKey> keys;
      for (const ItemWrite& w : writes) {
        if (w.table.get() == table) keys.push_back(w.key);
      }
      Status loaded = table->Load(keys);
      if (!loaded.ok()) return call.Fail(loaded);
    }
    // Every condition is checked before anything is written.
    std::vector<WriteOutcome> outcomes;
    bool any_failed = false;
    for (const ItemWrite& w : writes) {
      Result<WriteOutcome> outcome = PrepareWrite(w);
      if (!outcome.ok()) return call.Fail(outcome.status());
      any_failed = any_failed || outcome->condition_failed;
      outcomes.push_back(std::move(outcome).value());
    }
    if (any_failed) {
      std::string codes;
      std::string reasons = ",\"CancellationReasons\":[";
      for (size_t i = 0; i < writes.size(); ++i) {
        bool failed = outcomes[i].condition_failed;
        codes += std::string(i ? ", " : "") + (failed ? "ConditionalCheckFailed" : "None");
        reasons += i ? "," : "";
        if (!failed) {
          reasons += "{\"Code\":\"None\"}";
          continue;
        }
        reasons += "{\"Code\":\"ConditionalCheckFailed\",\"Message\":\"The conditional request failed\"";
        if (writes[i].return_old_on_failure && outcomes[i].old_item) {
          reasons += ",\"Item\":" + ItemToJson(*outcomes[i].old_item);
        }
        reasons += "}";
      }
      reasons += "]";
      std::vector<std::pair<Table*, uint64_t>> seen;
      for (Table* t : tables) seen.emplace_back(t, t->end_position());
      return call.RespondWhenDurable(
          seen,
          ErrorResponse(kTransactionCanceled,
                        "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]",
                        reasons, 400));
    }
    std::vector<TableWrite> parts;
    for (Table* table : tables) {
      TableWrite& part = parts.emplace_back(TableWrite{table, {}, {}});
      for (size_t i = 0; i < writes.size(); ++i) {
        if (writes[i].table.get() != table) continue;
        part.read.push_back(writes[i].key);
        if (writes[i].kind != ItemWrite::Kind::kCheck) {
          part.mutations.push_back(Mutation{writes[i].key, outcomes[i].new_item});
        }
      }
    }
    auto positions = WriteTables(parts, /*atomic=*/true);
    if (!positions.ok()) return call.Fail(positions.status());
    if (!*positions) continue;
    locks.clear();
    return call.OkWhenDurable(**positions, "{}");
  }
  FailContended(call);
}

}  // namespace sluice::dynamodb
