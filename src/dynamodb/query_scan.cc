// Query and Scan: one read path over an ordered list of candidates (the
// table's items, or an index's), with ExclusiveStartKey, Limit, the 1 MB
// page, FilterExpression, projections and Select.
#include <algorithm>

#include "dynamodb/expression_eval.h"
#include "dynamodb/operations.h"
#include "protocol/json_writer.h"

namespace sluice::dynamodb {
namespace {

constexpr size_t kMaxPageBytes = 1 << 20;

// Where a read runs: the table, or one of its indexes.
struct Source {
  const Table* table;
  const IndexDef* index = nullptr;  // null: the table itself

  const KeySchema& key() const { return index ? index->key : table->def().key; }

  // Sort position of an item: the index keys (if any), then the table keys.
  std::vector<const Value*> Position(const Item& item) const {
    std::vector<const Value*> out;
    auto add = [&](const KeySchema& k) {
      for (const KeyElement* e : {&k.hash, k.range ? &*k.range : nullptr}) {
        if (e == nullptr) continue;
        auto it = item.find(e->name);
        out.push_back(it == item.end() ? nullptr : &it->second);
      }
    };
    if (index) add(index->key);
    add(table->def().key);
    return out;
  }

  // The key attributes of an item (LastEvaluatedKey).
  Item KeyAttributes(const Item& item) const {
    Item out;
    for (const KeySchema* k : {&table->def().key, index ? &index->key : nullptr}) {
      if (k == nullptr) continue;
      for (const KeyElement* e : {&k->hash, k->range ? &*k->range : nullptr}) {
        if (e == nullptr) continue;
        auto it = item.find(e->name);
        if (it != item.end()) out[e->name] = it->second;
      }
    }
    return out;
  }

  // The item as the index projects it.
  Item Projected(const Item& item) const {
    if (index == nullptr || index->projection_type == "ALL") return item;
    Item out = KeyAttributes(item);
    for (const std::string& name : index->non_key_attributes) {
      auto it = item.find(name);
      if (it != item.end()) out[name] = it->second;
    }
    return out;
  }
};

int ComparePositions(const std::vector<const Value*>& a, const std::vector<const Value*>& b) {
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] == nullptr || b[i] == nullptr) continue;
    int c = CompareScalars(*a[i], *b[i]);
    if (c != 0) return c;
  }
  return 0;
}

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return h;
}

// A key condition: `hash = :v` [AND a condition on the range key].
Status CheckKeyCondition(const Condition& c, const KeySchema& key, bool* has_hash) {
  using Kind = Condition::Kind;
  if (c.kind == Kind::kAnd) {
    for (const Condition& child : c.children) SLUICE_RETURN_IF_ERROR(CheckKeyCondition(child, key, has_hash));
    return Status::Ok();
  }
  static constexpr std::string_view kNames[] = {
      "", "BETWEEN", "IN", "AND", "OR", "NOT", "attribute_exists", "attribute_not_exists", "attribute_type",
      "", "contains"};
  if (c.kind != Kind::kCompare && c.kind != Kind::kBetween && c.kind != Kind::kBeginsWith) {
    return Status::Validation("Invalid operator used in KeyConditionExpression: " +
                              std::string(kNames[static_cast<int>(c.kind)]));
  }
  if (c.kind == Kind::kCompare && c.op == "<>") {
    return Status::Validation("Invalid operator used in KeyConditionExpression: <>");
  }
  const Operand& subject = c.operands[0];
  if (subject.kind != Operand::Kind::kPath || subject.path.size() != 1) {
    return Status::Validation("Invalid KeyConditionExpression: The key conditions must be on key attributes");
  }
  for (size_t i = 1; i < c.operands.size(); ++i) {
    if (c.operands[i].kind != Operand::Kind::kValue) {
      return Status::Validation(
          "Invalid KeyConditionExpression: Only values are allowed on the right side of key "
          "conditions");
    }
  }
  const std::string& name = subject.path[0].name;
  const KeyElement* element = nullptr;
  if (name == key.hash.name) {
    if (c.kind != Kind::kCompare || c.op != "=") return Status::Validation("Query key condition not supported");
    if (*has_hash) return Status::Validation("KeyConditionExpressions must only contain one condition per key");
    *has_hash = true;
    element = &key.hash;
  } else if (key.range && name == key.range->name) {
    element = &*key.range;
  } else {
    return Status::Validation("Query condition missed key schema element: " + key.hash.name);
  }
  for (size_t i = 1; i < c.operands.size(); ++i) {
    if (c.operands[i].value.type != element->type) {
      return Status::Validation(
          "One or more parameter values were invalid: Condition parameter type does not match "
          "schema type");
    }
  }
  return Status::Ok();
}

void RunRead(Call& call, bool query) {
  Result<std::shared_ptr<Table>> table = call.FindTable();
  if (!table.ok()) return call.Fail(table.status());
  Members& body = call.body;
  ExpressionInputs inputs;
  Status s = inputs.Read(body);
  if (!s.ok()) return call.Fail(s);
  std::optional<std::string_view> index_name = body.String("IndexName");
  std::optional<std::string_view> key_text = body.String("KeyConditionExpression");
  std::optional<std::string_view> filter_text = body.String("FilterExpression");
  std::optional<std::string_view> select = body.String("Select");
  std::optional<int64_t> limit = body.Integer("Limit");
  std::optional<simdjson::dom::object> start_json = body.Object("ExclusiveStartKey");
  bool forward = body.Bool("ScanIndexForward").value_or(true);
  std::optional<int64_t> segment = body.Integer("Segment");
  std::optional<int64_t> total_segments = body.Integer("TotalSegments");
  body.Bool("ConsistentRead");  // every read is consistent
  if (!body.error().ok()) return call.Fail(body.error());
  for (std::string_view legacy : {"KeyConditions", "QueryFilter", "ScanFilter", "ConditionalOperator"}) {
    if (body.Has(legacy)) {
      return call.Fail(Status::Validation(std::string(legacy) + " is not supported by this server; use the "
                                                                "expression parameters"));
    }
  }
  if (limit && *limit < 1) {
    return call.Fail(Status::Validation("1 validation error detected: Value '" + std::to_string(*limit) +
                                        "' at 'limit' failed to satisfy constraint: Member must have value greater "
                                        "than or equal to 1"));
  }
  if (!query && (segment.has_value() != total_segments.has_value())) {
    return call.Fail(Status::Validation(segment ? "The TotalSegments parameter is required but was not present in "
                                                  "the request when parameter Segment is present"
                                                : "The Segment parameter is required but was not present in the "
                                                  "request when parameter TotalSegments is present"));
  }
  if (!query && total_segments) {
    if (*total_segments < 1 || *total_segments > 1000000) {
      return call.Fail(
          Status::Validation("1 validation error detected: Value '" + std::to_string(*total_segments) +
                             "' at 'totalSegments' failed to satisfy constraint: Member must have "
                             "value " +
                             (*total_segments < 1 ? "greater than or equal to 1" : "less than or equal to 1000000")));
    }
    if (*segment < 0 || *segment >= *total_segments) {
      return call.Fail(Status::Validation(
          "The Segment parameter is zero-based and must be less than parameter "
          "TotalSegments: Segment: " +
          std::to_string(*segment) + " is not less than TotalSegments: " + std::to_string(*total_segments)));
    }
  }
  std::string select_value(select.value_or(""));
  if (!select_value.empty() && select_value != "ALL_ATTRIBUTES" && select_value != "ALL_PROJECTED_ATTRIBUTES" &&
      select_value != "SPECIFIC_ATTRIBUTES" && select_value != "COUNT") {
    return call.Fail(Status::Validation("1 validation error detected: Value '" + select_value +
                                        "' at 'select' failed to satisfy constraint: Member must satisfy enum value "
                                        "set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"));
  }

  std::lock_guard<std::mutex> lock((*table)->mu());
  s = (*table)->LoadAll();
  if (!s.ok()) return call.Fail(s);
  Source source{table->get()};
  if (index_name) {
    source.index = (*table)->def().FindIndex(*index_name);
    if (source.index == nullptr) {
      return call.Fail(Status::Validation("The table does not have the specified index: " + std::string(*index_name)));
    }
  }
  std::optional<Condition> key_condition;
  if (query) {
    if (!key_text) {
      return call.Fail(
          Status::Validation("Either the KeyConditions or KeyConditionExpression parameter must be "
                             "specified in the request."));
    }
    Result<Condition> c = ParseCondition(*key_text, "KeyConditionExpression", inputs.placeholders);
    if (!c.ok()) return call.Fail(c.status());
    bool has_hash = false;
    s = CheckKeyCondition(*c, source.key(), &has_hash);
    if (s.ok() && !has_hash)
      s = Status::Validation("Query condition missed key schema element: " + source.key().hash.name);
    if (!s.ok()) return call.Fail(s);
    key_condition = std::move(c).value();
  }
  std::optional<Condition> filter;
  if (filter_text) {
    Result<Condition> c = ParseCondition(*filter_text, "FilterExpression", inputs.placeholders);
    if (!c.ok()) return call.Fail(c.status());
    filter = std::move(c).value();
  }
  std::vector<Path> projection;
  s = ReadProjection(body, inputs, &projection);
  if (s.ok()) s = CheckAllPlaceholdersUsed(inputs.placeholders);
  if (s.ok() && select_value == "COUNT" && !projection.empty()) {
    s = Status::Validation("Cannot specify the AttributesToGet when choosing to get only the Count");
  }
  if (!s.ok()) return call.Fail(s);

  // The candidates in the source's order.
  struct Candidate {
    const Item* item;
    std::vector<const Value*> position;
  };
  std::vector<Candidate> candidates;
  const KeySchema& key = source.key();
  for (const auto& [item_key, item] : (*table)->items()) {
    if (source.index) {
      if (!item.count(key.hash.name) || (key.range && !item.count(key.range->name))) continue;
    }
    if (total_segments) {
      const Value& h = item.at(key.hash.name);
      if (Fnv1a(std::string(TypeName(h.type)) + h.scalar) % static_cast<uint64_t>(*total_segments) !=
          static_cast<uint64_t>(*segment)) {
        continue;
      }
    }
    if (key_condition) {
      Result<bool> in = Evaluate(*key_condition, item);
      if (!in.ok()) return call.Fail(in.status());
      if (!*in) continue;
    }
    candidates.push_back({&item, source.Position(item)});
  }
  if (source.index) {
    std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
      return ComparePositions(a.position, b.position) < 0;
    });
  }
  if (query && !forward) std::reverse(candidates.begin(), candidates.end());

  size_t next = 0;
  if (start_json) {
    Result<Item> start = ItemFromJson(*start_json);
    if (!start.ok()) return call.Fail(start.status());
    std::vector<const Value*> at = source.Position(*start);
    if (std::find(at.begin(), at.end(), nullptr) != at.end()) {
      return call.Fail(
          Status::Validation("The provided starting key is invalid: The provided key element does not "
                             "match the schema"));
    }
    int direction = (query && !forward) ? -1 : 1;
    while (next < candidates.size() && direction * ComparePositions(candidates[next].position, at) <= 0) ++next;
  }

  std::string json;
  protocol::JsonWriter w(&json);
  w.BeginObject();
  if (select_value != "COUNT") {
    w.Key("Items");
    w.BeginArray();
  }
  int64_t count = 0, scanned = 0;
  size_t bytes = 0;
  const Item* last = nullptr;
  while (next < candidates.size()) {
    const Item& item = *candidates[next++].item;
    ++scanned;
    bytes += ItemSize(item);
    last = &item;
    bool matches = true;
    if (filter) {
      Result<bool> holds = Evaluate(*filter, item);
      if (!holds.ok()) return call.Fail(holds.status());
      matches = *holds;
    }
    if (matches) {
      ++count;
      if (select_value != "COUNT") {
        Item visible = source.Projected(item);
        WriteItem(w, projection.empty() ? visible : Project(visible, projection));
      }
    }
    if ((limit && scanned >= *limit) || bytes >= kMaxPageBytes) break;
  }
  if (select_value != "COUNT") w.EndArray();
  w.MemberInt("Count", count);
  w.MemberInt("ScannedCount", scanned);
  // Absent, not empty, once the read reached the end.
  if (next < candidates.size() && last != nullptr) WriteItemMember(w, "LastEvaluatedKey", source.KeyAttributes(*last));
  w.EndObject();
  call.OkWhenDurable(**table, (*table)->end_position(), std::move(json));
}

}  // namespace

void Query(Call& call) { RunRead(call, /*query=*/true); }
void Scan(Call& call) { RunRead(call, /*query=*/false); }

}  // namespace sluice::dynamodb
