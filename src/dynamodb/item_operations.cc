// GetItem, PutItem, UpdateItem, DeleteItem.
#include "dynamodb/expression_eval.h"
#include "dynamodb/item_write.h"
#include "dynamodb/operations.h"
#include "protocol/json_writer.h"

namespace sluice::dynamodb {
namespace {

// A single-item write: check and apply under the table's lock, answer once
// the journal holds it durably. A shared table's: load the item, decide,
// and commit only if the item is unchanged since; else all again.
void RunWrite(Call& call, ItemWrite::Kind kind) {
  for (int attempt = 1; attempt <= kMaxWriteAttempts; ++attempt) {
    Result<ItemWrite> write = ReadItemWrite(call, call.body, kind);
    if (!write.ok()) return call.Fail(write.status());
    Table& table = *write->table;
    std::unique_lock<std::mutex> lock(table.mu());
    Status loaded = table.Load({write->key});
    if (!loaded.ok()) return call.Fail(loaded);
    Result<WriteOutcome> outcome = PrepareWrite(*write);
    if (!outcome.ok()) return call.Fail(outcome.status());
    if (outcome->condition_failed) return FailCondition(call, *write, *outcome);
    auto written = WriteTables({{&table, {write->key}, {Mutation{write->key, outcome->new_item}}}}, /*atomic=*/true);
    if (!written.ok()) return call.Fail(written.status());
    if (!*written) continue;
    lock.unlock();
    std::string json;
    protocol::JsonWriter w(&json);
    w.BeginObject();
    WriteItemMember(w, "Attributes", ReturnedAttributes(*write, *outcome));
    w.EndObject();
    return call.OkWhenDurable(**written, std::move(json));
  }
  FailContended(call);
}

}  // namespace

void PutItem(Call& call) { RunWrite(call, ItemWrite::Kind::kPut); }
void UpdateItem(Call& call) { RunWrite(call, ItemWrite::Kind::kUpdate); }
void DeleteItem(Call& call) { RunWrite(call, ItemWrite::Kind::kDelete); }

void GetItem(Call& call) {
  Result<std::shared_ptr<Table>> table = call.FindTable();
  if (!table.ok()) return call.Fail(table.status());
  ExpressionInputs inputs;
  Status s = inputs.Read(call.body);
  if (!s.ok()) return call.Fail(s);
  std::vector<Path> paths;
  s = ReadProjection(call.body, inputs, &paths);
  if (s.ok() && inputs.has_values) {
    s = Status::Validation(
        "ExpressionAttributeValues can only be specified when using expressions: "
        "ProjectionExpression is the only expression in this request");
  }
  if (s.ok()) s = CheckAllPlaceholdersUsed(inputs.placeholders);
  std::optional<simdjson::dom::object> key_json = call.body.Object("Key");
  call.body.Bool("ConsistentRead");  // every read is consistent
  if (s.ok()) s = call.body.error();
  if (s.ok() && !key_json) {
    s = Status::Validation(
        "1 validation error detected: Value null at 'key' failed to satisfy constraint: Member "
        "must not be null");
  }
  if (!s.ok()) return call.Fail(s);
  std::lock_guard<std::mutex> lock((*table)->mu());
  Result<ItemKey> key = ReadKey(**table, *key_json);
  if (!key.ok()) return call.Fail(key.status());
  s = (*table)->Load({*key});
  if (!s.ok()) return call.Fail(s);
  std::string json;
  protocol::JsonWriter w(&json);
  w.BeginObject();
  if (const Item* item = (*table)->Find(*key)) {
    WriteItemMember(w, "Item", paths.empty() ? *item : Project(*item, paths), /*skip_empty=*/false);
  }
  w.EndObject();
  call.OkWhenDurable(**table, (*table)->end_position(), std::move(json));
}

}  // namespace sluice::dynamodb
