#include "dynamodb/item_write.h"

#include "dynamodb/expression_eval.h"
#include "dynamodb/legacy_parameters.h"
#include "protocol/json_writer.h"

namespace sluice::dynamodb {
namespace {

Status NullMember(std::string_view member) {
  return Status::Validation("1 validation error detected: Value null at '" + std::string(member) +
                            "' failed to satisfy constraint: Member must not be null");
}

// An item's size and the types of its index key attributes.
Status CheckItem(const Table& table, const Item& item) {
  if (ItemSize(item) > kMaxItemBytes) return Status::Validation("Item size has exceeded the maximum allowed size");
  for (const IndexDef& index : table.def().global_indexes) {
    for (const KeyElement* e : {&index.key.hash, index.key.range ? &*index.key.range : nullptr}) {
      if (e == nullptr) continue;
      auto it = item.find(e->name);
      if (it != item.end() && it->second.type != e->type) {
        return Status::Validation("One or more parameter values were invalid: Type mismatch for Index Key " + e->name +
                                  " Expected: " + std::string(TypeName(e->type)) +
                                  " Actual: " + std::string(TypeName(it->second.type)) + " IndexName: " + index.name);
      }
    }
  }
  return Status::Ok();
}

Status CheckReturnValues(const ItemWrite& w) {
  const std::string& r = w.return_values;
  if (r != "NONE" && r != "ALL_OLD" && r != "ALL_NEW" && r != "UPDATED_OLD" && r != "UPDATED_NEW") {
    return Status::Validation("1 validation error detected: Value '" + r +
                              "' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: "
                              "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
  }
  if (w.kind != ItemWrite::Kind::kUpdate && r != "NONE" && r != "ALL_OLD") {
    return Status::Validation("ReturnValues can only be ALL_OLD or NONE");
  }
  return Status::Ok();
}

}  // namespace

Result<ItemWrite> ReadItemWrite(Call& call, Members& body, ItemWrite::Kind kind) {
  ItemWrite w;
  w.kind = kind;
  std::optional<std::string_view> table_name = body.String("TableName");
  SLUICE_RETURN_IF_ERROR(body.error());
  SLUICE_RETURN_IF_ERROR(CheckTableName(table_name, "tableName"));
  Result<std::shared_ptr<Table>> table = call.store.Find(call.account, call.region, std::string(*table_name));
  if (!table.ok()) return table.status();
  w.table = std::move(table).value();

  ExpressionInputs inputs;
  SLUICE_RETURN_IF_ERROR(inputs.Read(body));
  std::optional<std::string_view> condition_text = body.String("ConditionExpression");
  std::optional<simdjson::dom::object> expected = body.Object("Expected");
  std::optional<std::string_view> conditional_operator = body.String("ConditionalOperator");
  std::optional<std::string_view> update_text = body.String("UpdateExpression");
  std::optional<simdjson::dom::object> attribute_updates = body.Object("AttributeUpdates");
  w.return_values = std::string(body.String("ReturnValues").value_or("NONE"));
  std::string on_failure(body.String("ReturnValuesOnConditionCheckFailure").value_or("NONE"));
  SLUICE_RETURN_IF_ERROR(body.error());

  // Expression and legacy parameters do not mix.
  std::string legacy, modern;
  auto list = [](std::string* out, bool present, std::string_view name) {
    if (present) *out += (out->empty() ? "" : ", ") + std::string(name);
  };
  list(&legacy, attribute_updates.has_value(), "AttributeUpdates");
  list(&legacy, expected.has_value(), "Expected");
  list(&modern, update_text.has_value(), "UpdateExpression");
  list(&modern, condition_text.has_value(), "ConditionExpression");
  if (!legacy.empty() && !modern.empty()) {
    return Status::Validation(
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {" +
        legacy + "} Expression parameters: {" + modern + "}");
  }
  if (modern.empty()) {
    if (inputs.has_names) {
      return Status::Validation("ExpressionAttributeNames can only be specified when using expressions");
    }
    if (inputs.has_values) {
      return Status::Validation("ExpressionAttributeValues can only be specified when using expressions");
    }
  }

  const Table& t = *w.table;
  std::lock_guard<std::mutex> lock(t.mu());  // def() is read under the table's lock
  if (kind == ItemWrite::Kind::kPut) {
    std::optional<simdjson::dom::object> item_json = body.Object("Item");
    SLUICE_RETURN_IF_ERROR(body.error());
    if (!item_json) return NullMember("item");
    Result<Item> item = ItemFromJson(*item_json);
    if (!item.ok()) return item.status();
    Result<ItemKey> key = t.KeyOf(*item);
    if (!key.ok()) return key.status();
    SLUICE_RETURN_IF_ERROR(CheckItem(t, *item));
    w.key = std::move(key).value();
    w.put_item = std::move(item).value();
  } else {
    std::optional<simdjson::dom::object> key_json = body.Object("Key");
    SLUICE_RETURN_IF_ERROR(body.error());
    if (!key_json) return NullMember("key");
    Result<ItemKey> key = ReadKey(t, *key_json);
    if (!key.ok()) return key.status();
    w.key = std::move(key).value();
  }

  if (kind == ItemWrite::Kind::kUpdate) {
    Result<UpdateExpression> update = UpdateExpression{};
    if (update_text) {
      update = ParseUpdate(*update_text, inputs.placeholders);
    } else if (attribute_updates) {
      update = UpdateFromAttributeUpdates(*attribute_updates);
    }
    if (!update.ok()) return update.status();
    for (const UpdateAction& a : update->actions) {
      const std::string& name = a.path[0].name;
      if (name == t.def().key.hash.name || (t.def().key.range && name == t.def().key.range->name)) {
        return Status::Validation("One or more parameter values were invalid: Cannot update attribute " + name +
                                  ". This attribute is part of the key");
      }
    }
    w.update = std::move(update).value();
  }
  if (condition_text) {
    Result<Condition> c = ParseCondition(*condition_text, "ConditionExpression", inputs.placeholders);
    if (!c.ok()) return c.status();
    w.condition = std::move(c).value();
  } else if (expected) {
    Result<std::optional<Condition>> c = ConditionFromExpected(*expected, conditional_operator);
    if (!c.ok()) return c.status();
    w.condition = std::move(c).value();
  }
  if (kind == ItemWrite::Kind::kCheck && !w.condition) return NullMember("conditionExpression");
  SLUICE_RETURN_IF_ERROR(CheckAllPlaceholdersUsed(inputs.placeholders));
  SLUICE_RETURN_IF_ERROR(CheckReturnValues(w));
  if (on_failure != "NONE" && on_failure != "ALL_OLD") {
    return Status::Validation("1 validation error detected: Value '" + on_failure +
                              "' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must "
                              "satisfy enum value set: [ALL_OLD, NONE]");
  }
  w.return_old_on_failure = on_failure == "ALL_OLD";
  return w;
}

Result<WriteOutcome> PrepareWrite(const ItemWrite& w) {
  WriteOutcome out;
  const Table& t = *w.table;
  if (const Item* old = t.Find(w.key)) out.old_item = *old;
  if (w.condition) {
    Result<bool> holds = Evaluate(*w.condition, out.old_item ? *out.old_item : Item{});
    if (!holds.ok()) return holds.status();
    if (!*holds) {
      out.condition_failed = true;
      return out;
    }
  }
  switch (w.kind) {
    case ItemWrite::Kind::kPut: out.new_item = w.put_item; break;
    case ItemWrite::Kind::kUpdate: {
      Item item = out.old_item ? *out.old_item : KeyItem(t.def().key, w.key);
      SLUICE_RETURN_IF_ERROR(ApplyUpdate(w.update, &item));
      SLUICE_RETURN_IF_ERROR(CheckItem(t, item));
      out.new_item = std::move(item);
      break;
    }
    case ItemWrite::Kind::kDelete: break;
    case ItemWrite::Kind::kCheck: out.new_item = out.old_item; break;
  }
  return out;
}

Item ReturnedAttributes(const ItemWrite& w, const WriteOutcome& outcome) {
  const Item empty;
  const Item& old_item = outcome.old_item ? *outcome.old_item : empty;
  const Item& new_item = outcome.new_item ? *outcome.new_item : empty;
  if (w.return_values == "ALL_OLD") return old_item;
  if (w.return_values == "ALL_NEW") return new_item;
  if (w.return_values == "UPDATED_OLD" || w.return_values == "UPDATED_NEW") {
    std::vector<Path> paths;
    for (const UpdateAction& a : w.update.actions) paths.push_back(a.path);
    return Project(w.return_values == "UPDATED_OLD" ? old_item : new_item, paths);
  }
  return {};
}

void FailContended(const Call& call) {
  call.Fail("InternalServerError", "The items this write read were changed by other writers " +
                                       std::to_string(kMaxWriteAttempts) + " times before it could land; try again");
}

void FailCondition(const Call& call, const ItemWrite& w, const WriteOutcome& outcome) {
  std::string extra;
  if (w.return_old_on_failure && outcome.old_item) {
    extra = ",\"Item\":" + ItemToJson(*outcome.old_item);
  }
  call.RespondWhenDurable({{w.table.get(), w.table->end_position()}},
                          ErrorResponse(kConditionalCheckFailed, "The conditional request failed", extra, 400));
}

}  // namespace sluice::dynamodb
