// CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables, and the
// state-only settings: time to live and continuous backups.
#include <algorithm>
#include <chrono>
#include <random>
#include <set>

#include "dynamodb/operations.h"
#include "dynamodb/table_description.h"
#include "protocol/json_writer.h"

namespace sluice::dynamodb {
namespace {

Status Invalid(std::string message) {
  return Status::Validation("One or more parameter values were invalid: " + std::move(message));
}

std::string RandomUuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t a = rng(), b = rng();
  char out[40];
  std::snprintf(out, sizeof(out), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return out;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A KeySchema member: HASH, then optionally RANGE; types from `attributes`.
Result<KeySchema> ReadKeySchema(std::optional<simdjson::dom::array> json,
                                const std::vector<std::pair<std::string, ValueType>>& attributes,
                                std::string_view where) {
  if (!json) {
    return Status::Validation("1 validation error detected: Value null at '" + std::string(where) +
                              "' failed to satisfy constraint: Member must not be null");
  }
  std::vector<std::pair<std::string, std::string>> elements;
  for (simdjson::dom::element e : *json) {
    std::string_view name, type;
    if (e["AttributeName"].get_string().get(name) || e["KeyType"].get_string().get(type)) {
      return Status::Validation("1 validation error detected: Value null at '" + std::string(where) +
                                ".member.attributeName' failed to satisfy constraint: Member must not be null");
    }
    elements.emplace_back(std::string(name), std::string(type));
  }
  if (elements.empty() || elements.size() > 2) {
    return Status::Validation("1 validation error detected: Value '" + std::to_string(elements.size()) + "' at '" +
                              std::string(where) +
                              "' failed to satisfy constraint: Member must have length less "
                              "than or equal to 2");
  }
  if (elements[0].second != "HASH")
    return Invalid("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (elements.size() == 2 && elements[1].second != "RANGE") {
    return Invalid("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  }
  if (elements.size() == 2 && elements[0].first == elements[1].first) {
    return Invalid("Both the Hash Key and the Range Key element in the KeySchema have the same name");
  }
  KeySchema key;
  for (size_t i = 0; i < elements.size(); ++i) {
    auto it =
        std::find_if(attributes.begin(), attributes.end(), [&](const auto& a) { return a.first == elements[i].first; });
    if (it == attributes.end()) {
      return Invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: [" + elements[i].first +
                     "]");
    }
    KeyElement e{elements[i].first, it->second};
    if (i == 0) {
      key.hash = e;
    } else {
      key.range = e;
    }
  }
  return key;
}

Result<std::vector<std::pair<std::string, ValueType>>> ReadAttributeDefinitions(
    std::optional<simdjson::dom::array> json) {
  std::vector<std::pair<std::string, ValueType>> out;
  if (!json) return out;
  for (simdjson::dom::element e : *json) {
    std::string_view name, type;
    if (e["AttributeName"].get_string().get(name) || e["AttributeType"].get_string().get(type)) {
      return Status::Validation(
          "1 validation error detected: Value null at 'attributeDefinitions.member."
          "attributeName' failed to satisfy constraint: Member must not be null");
    }
    if (type != "S" && type != "N" && type != "B") {
      return Status::Validation("1 validation error detected: Value '" + std::string(type) +
                                "' at 'attributeDefinitions.member.attributeType' failed to satisfy constraint: "
                                "Member must satisfy enum value set: [B, N, S]");
    }
    out.emplace_back(std::string(name), *TypeFromName(type));
  }
  return out;
}

// ProvisionedThroughput against BillingMode.
Status ReadThroughput(std::optional<simdjson::dom::object> json, bool pay_per_request, int64_t* read, int64_t* write) {
  if (pay_per_request) {
    if (json) {
      return Invalid(
          "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
          "PAY_PER_REQUEST");
    }
    *read = *write = 0;
    return Status::Ok();
  }
  Members t(json.value_or(simdjson::dom::object()));
  std::optional<int64_t> r = json ? t.Integer("ReadCapacityUnits") : std::nullopt;
  std::optional<int64_t> w = json ? t.Integer("WriteCapacityUnits") : std::nullopt;
  if (!r || !w) {
    return Invalid(
        "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is "
        "PROVISIONED");
  }
  if (*r < 1 || *w < 1) return Invalid("Provisioned throughput values must be at least 1");
  *read = *r;
  *write = *w;
  return Status::Ok();
}

Result<IndexDef> ReadIndex(simdjson::dom::object json, const TableDef& def) {
  Members m(json);
  IndexDef index;
  std::optional<std::string_view> name = m.String("IndexName");
  SLUICE_RETURN_IF_ERROR(m.error());
  SLUICE_RETURN_IF_ERROR(CheckTableName(name, "globalSecondaryIndexes.member.indexName"));
  index.name = *name;
  Result<KeySchema> key =
      ReadKeySchema(m.Array("KeySchema"), def.attributes, "globalSecondaryIndexes.member.keySchema");
  if (!key.ok()) return key.status();
  index.key = std::move(key).value();
  std::optional<simdjson::dom::object> projection = m.Object("Projection");
  if (!projection) {
    return Status::Validation(
        "1 validation error detected: Value null at 'globalSecondaryIndexes.member."
        "projection' failed to satisfy constraint: Member must not be null");
  }
  Members p(*projection);
  index.projection_type = std::string(p.String("ProjectionType").value_or("ALL"));
  if (index.projection_type != "ALL" && index.projection_type != "KEYS_ONLY" && index.projection_type != "INCLUDE") {
    return Status::Validation("1 validation error detected: Value '" + index.projection_type +
                              "' at 'globalSecondaryIndexes.member.projection.projectionType' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]");
  }
  if (auto non_key = p.Array("NonKeyAttributes")) {
    if (index.projection_type != "INCLUDE") {
      return Invalid("ProjectionType is " + index.projection_type + ", but NonKeyAttributes is specified");
    }
    for (simdjson::dom::element e : *non_key) {
      std::string_view a;
      if (!e.get_string().get(a)) index.non_key_attributes.emplace_back(a);
    }
  }
  SLUICE_RETURN_IF_ERROR(ReadThroughput(m.Object("ProvisionedThroughput"), def.pay_per_request, &index.read_capacity,
                                        &index.write_capacity));
  SLUICE_RETURN_IF_ERROR(m.error());
  return index;
}

// Every attribute definition is used by a key of the table or an index.
Status CheckDefinitionsUsed(const TableDef& def) {
  std::set<std::string> used = {def.key.hash.name};
  if (def.key.range) used.insert(def.key.range->name);
  for (const IndexDef& index : def.global_indexes) {
    used.insert(index.key.hash.name);
    if (index.key.range) used.insert(index.key.range->name);
  }
  if (used.size() != def.attributes.size()) {
    return Invalid(
        "Number of attributes in KeySchema does not exactly match number of attributes defined in "
        "AttributeDefinitions");
  }
  return Status::Ok();
}

std::string Describe(const Table& table, const Call& call, std::string_view member, std::string_view status) {
  std::string json;
  protocol::JsonWriter w(&json);
  w.BeginObject();
  w.Key(member);
  WriteTableDescription(w, table, call.region, call.account, status);
  w.EndObject();
  return json;
}

Result<std::optional<bool>> ReadBillingMode(Members& body) {
  std::optional<std::string_view> mode = body.String("BillingMode");
  if (!mode) return std::optional<bool>();
  if (*mode != "PROVISIONED" && *mode != "PAY_PER_REQUEST") {
    return Status::Validation("1 validation error detected: Value '" + std::string(*mode) +
                              "' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: "
                              "[PROVISIONED, PAY_PER_REQUEST]");
  }
  return std::optional<bool>(*mode == "PAY_PER_REQUEST");
}

}  // namespace

void CreateTable(Call& call) {
  Members& body = call.body;
  TableDef def;
  std::optional<std::string_view> name = body.String("TableName");
  Status s = body.error();
  if (s.ok()) s = CheckTableName(name, "tableName");
  if (!s.ok()) return call.Fail(s);
  def.name = *name;
  Result<std::vector<std::pair<std::string, ValueType>>> attributes =
      ReadAttributeDefinitions(body.Array("AttributeDefinitions"));
  if (!attributes.ok()) return call.Fail(attributes.status());
  def.attributes = std::move(attributes).value();
  Result<KeySchema> key = ReadKeySchema(body.Array("KeySchema"), def.attributes, "keySchema");
  if (!key.ok()) return call.Fail(key.status());
  def.key = std::move(key).value();
  Result<std::optional<bool>> billing = ReadBillingMode(body);
  if (!billing.ok()) return call.Fail(billing.status());
  def.pay_per_request = billing->value_or(false);
  s = ReadThroughput(body.Object("ProvisionedThroughput"), def.pay_per_request, &def.read_capacity,
                     &def.write_capacity);
  if (!s.ok()) return call.Fail(s);
  if (auto indexes = body.Array("GlobalSecondaryIndexes")) {
    for (simdjson::dom::element e : *indexes) {
      simdjson::dom::object o;
      if (e.get_object().get(o)) return call.Fail(Status::Serialization("Unexpected value type"));
      Result<IndexDef> index = ReadIndex(o, def);
      if (!index.ok()) return call.Fail(index.status());
      if (def.FindIndex(index->name)) return call.Fail(Invalid("Duplicate index name: " + index->name));
      def.global_indexes.push_back(std::move(index).value());
    }
  }
  s = CheckDefinitionsUsed(def);
  if (!s.ok()) return call.Fail(s);
  def.deletion_protection = body.Bool("DeletionProtectionEnabled").value_or(false);
  if (auto tags = body.Array("Tags")) {
    for (simdjson::dom::element e : *tags) {
      std::string_view k, v;
      if (e["Key"].get_string().get(k) || e["Value"].get_string().get(v)) {
        return call.Fail(
            Status::Validation("1 validation error detected: Value null at 'tags.member.key' failed to "
                               "satisfy constraint: Member must not be null"));
      }
      def.tags.emplace_back(std::string(k), std::string(v));
    }
  }
  if (!body.error().ok()) return call.Fail(body.error());
  def.id = RandomUuid();
  def.created_ms = NowMs();
  Result<std::shared_ptr<Table>> table = call.store.Create(call.account, call.region, std::move(def));
  if (!table.ok()) return call.Fail(table.status());
  std::lock_guard<std::mutex> lock((*table)->mu());
  call.Ok(Describe(**table, call, "TableDescription", "ACTIVE"));
}

void DescribeTable(Call& call) {
  Result<std::shared_ptr<Table>> table = call.FindTable();
  if (!table.ok()) {
    if (table.status().code() != ErrorCode::kResourceNotFound) return call.Fail(table.status());
    std::string name(call.body.String("TableName").value_or(""));
    return call.Fail("ResourceNotFoundException", "Requested resource not found: Table: " + name + " not found");
  }
  std::lock_guard<std::mutex> lock((*table)->mu());
  Status loaded = (*table)->LoadAll();  // a shared table's ItemCount and TableSizeBytes
  if (!loaded.ok()) return call.Fail(loaded);
  call.Ok(Describe(**table, call, "Table", "ACTIVE"));
}

void UpdateTable(Call& call) {
  Result<std::shared_ptr<Table>> table = call.FindTable();
  if (!table.ok()) return call.Fail(table.status());
  Members& body = call.body;
  std::lock_guard<std::mutex> lock((*table)->mu());
  TableDef def = (*table)->def();
  Result<std::optional<bool>> billing = ReadBillingMode(body);
  if (!billing.ok()) return call.Fail(billing.status());
  if (*billing) def.pay_per_request = **billing;
  std::optional<simdjson::dom::object> throughput = body.Object("ProvisionedThroughput");
  if (*billing || throughput) {
    Status s = ReadThroughput(throughput, def.pay_per_request, &def.read_capacity, &def.write_capacity);
    if (!s.ok()) return call.Fail(s);
  }
  if (auto deletion_protection = body.Bool("DeletionProtectionEnabled")) def.deletion_protection = *deletion_protection;
  if (auto attributes_json = body.Array("AttributeDefinitions")) {
    auto attributes = ReadAttributeDefinitions(attributes_json);
    if (!attributes.ok()) return call.Fail(attributes.status());
    for (auto& a : *attributes) {
      auto it =
          std::find_if(def.attributes.begin(), def.attributes.end(), [&](const auto& d) { return d.first == a.first; });
      if (it == def.attributes.end()) def.attributes.push_back(a);
    }
  }
  if (auto updates = body.Array("GlobalSecondaryIndexUpdates")) {
    for (simdjson::dom::element e : *updates) {
      simdjson::dom::object update, action;
      if (e.get_object().get(update)) return call.Fail(Status::Serialization("Unexpected value type"));
      if (!update["Create"].get_object().get(action)) {
        Result<IndexDef> index = ReadIndex(action, def);
        if (!index.ok()) return call.Fail(index.status());
        if (def.FindIndex(index->name)) {
          return call.Fail(Invalid("Attempting to create an index which already exists"));
        }
        def.global_indexes.push_back(std::move(index).value());
      } else if (!update["Delete"].get_object().get(action)) {
        std::string_view index_name;
        if (action["IndexName"].get_string().get(index_name)) index_name = {};
        auto it = std::find_if(def.global_indexes.begin(), def.global_indexes.end(),
                               [&](const IndexDef& i) { return i.name == index_name; });
        if (it == def.global_indexes.end()) {
          return call.Fail("ResourceNotFoundException",
                           "Requested resource not found: Index: " + std::string(index_name) + " not found");
        }
        def.global_indexes.erase(it);
      } else if (!update["Update"].get_object().get(action)) {
        std::string_view index_name;
        if (action["IndexName"].get_string().get(index_name)) index_name = {};
        IndexDef* index = const_cast<IndexDef*>(def.FindIndex(index_name));
        if (index == nullptr) {
          return call.Fail("ResourceNotFoundException",
                           "Requested resource not found: Index: " + std::string(index_name) + " not found");
        }
        simdjson::dom::object t;
        std::optional<simdjson::dom::object> index_throughput;
        if (!action["ProvisionedThroughput"].get_object().get(t)) index_throughput = t;
        Status s = ReadThroughput(index_throughput, def.pay_per_request, &index->read_capacity, &index->write_capacity);
        if (!s.ok()) return call.Fail(s);
      }
    }
    // Definitions no key uses any more go with the deleted indexes.
    std::erase_if(def.attributes, [&](const auto& a) {
      bool used = a.first == def.key.hash.name || (def.key.range && a.first == def.key.range->name);
      for (const IndexDef& index : def.global_indexes) {
        used = used || a.first == index.key.hash.name || (index.key.range && a.first == index.key.range->name);
      }
      return !used;
    });
  }
  if (!body.error().ok()) return call.Fail(body.error());
  Status s = CheckDefinitionsUsed(def);
  if (s.ok()) s = (*table)->SaveDef(std::move(def));
  if (!s.ok()) return call.Fail(s);
  call.Ok(Describe(**table, call, "TableDescription", "ACTIVE"));
}

void DeleteTable(Call& call) {
  Result<std::shared_ptr<Table>> table = call.FindTable();
  if (!table.ok()) return call.Fail(table.status());
  std::string json;
  {
    std::lock_guard<std::mutex> lock((*table)->mu());
    if ((*table)->def().deletion_protection) {
      return call.Fail(
          Status::Validation("Resource cannot be deleted as it is currently protected against deletion. "
                             "Disable deletion protection first."));
    }
    json = Describe(**table, call, "TableDescription", "DELETING");
  }
  Status s = call.store.Delete(call.account, call.region, (*table)->def().name);
  if (!s.ok()) return call.Fail(s);
  call.Ok(std::move(json));
}

void ListTables(Call& call) {
  std::optional<std::string_view> start = call.body.String("ExclusiveStartTableName");
  std::optional<int64_t> limit = call.body.Integer("Limit");
  if (!call.body.error().ok()) return call.Fail(call.body.error());
  if (limit && (*limit < 1 || *limit > 100)) {
    return call.Fail(Status::Validation("1 validation error detected: Value '" + std::to_string(*limit) +
                                        "' at 'limit' failed to satisfy constraint: Member must have value " +
                                        (*limit < 1 ? "greater than or equal to 1" : "less than or equal to 100")));
  }
  Result<std::vector<std::string>> listed = call.store.List(call.account, call.region);
  if (!listed.ok()) return call.Fail(listed.status());
  const std::vector<std::string>& names = *listed;
  size_t from = 0;
  if (start) from = std::upper_bound(names.begin(), names.end(), std::string(*start)) - names.begin();
  size_t count = std::min<size_t>(names.size() - from, static_cast<size_t>(limit.value_or(100)));
  std::string json;
  protocol::JsonWriter w(&json);
  w.BeginObject();
  w.Key("TableNames");
  w.BeginArray();
  for (size_t i = from; i < from + count; ++i) w.String(names[i]);
  w.EndArray();
  if (from + count < names.size()) w.Member("LastEvaluatedTableName", names[from + count - 1]);
  w.EndObject();
  call.Ok(std::move(json));
}

void UpdateTimeToLive(Call& call) {
  Result<std::shared_ptr<Table>> table = call.FindTable();
  if (!table.ok()) return call.Fail(table.status());
  std::optional<simdjson::dom::object> spec = call.body.Object("TimeToLiveSpecification");
  if (!spec) {
    return call.Fail(
        Status::Validation("1 validation error detected: Value null at 'timeToLiveSpecification' failed "
                           "to satisfy constraint: Member must not be null"));
  }
  Members m(*spec);
  std::optional<bool> enabled = m.Bool("Enabled");
  std::optional<std::string_view> attribute = m.String("AttributeName");
  if (!enabled || !attribute || attribute->empty()) {
    return call.Fail(
        Status::Validation("1 validation error detected: Value null at 'timeToLiveSpecification."
                           "attributeName' failed to satisfy constraint: Member must not be null"));
  }
  std::lock_guard<std::mutex> lock((*table)->mu());
  TableDef def = (*table)->def();
  if (def.ttl_enabled == *enabled) {
    return call.Fail(Status::Validation(*enabled ? "TimeToLive is already enabled" : "TimeToLive is already disabled"));
  }
  def.ttl_enabled = *enabled;
  def.ttl_attribute = *attribute;
  Status s = (*table)->SaveDef(std::move(def));
  if (!s.ok()) return call.Fail(s);
  std::string json;
  protocol::JsonWriter w(&json);
  w.BeginObject();
  w.Key("TimeToLiveSpecification");
  w.BeginObject();
  w.MemberBool("Enabled", *enabled);
  w.Member("AttributeName", *attribute);
  w.EndObject();
  w.EndObject();
  call.Ok(std::move(json));
}

void DescribeTimeToLive(Call& call) {
  Result<std::shared_ptr<Table>> table = call.FindTable();
  if (!table.ok()) return call.Fail(table.status());
  std::lock_guard<std::mutex> lock((*table)->mu());
  const TableDef& def = (*table)->def();
  std::string json;
  protocol::JsonWriter w(&json);
  w.BeginObject();
  w.Key("TimeToLiveDescription");
  w.BeginObject();
  w.Member("TimeToLiveStatus", def.ttl_enabled ? "ENABLED" : "DISABLED");
  if (def.ttl_enabled) w.Member("AttributeName", def.ttl_attribute);
  w.EndObject();
  w.EndObject();
  call.Ok(std::move(json));
}

namespace {

std::string ContinuousBackups(bool pitr) {
  std::string json;
  protocol::JsonWriter w(&json);
  w.BeginObject();
  w.Key("ContinuousBackupsDescription");
  w.BeginObject();
  w.Member("ContinuousBackupsStatus", "ENABLED");
  w.Key("PointInTimeRecoveryDescription");
  w.BeginObject();
  w.Member("PointInTimeRecoveryStatus", pitr ? "ENABLED" : "DISABLED");
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return json;
}

}  // namespace

void UpdateContinuousBackups(Call& call) {
  Result<std::shared_ptr<Table>> table = call.FindTable();
  if (!table.ok()) return call.Fail(table.status());
  std::optional<simdjson::dom::object> spec = call.body.Object("PointInTimeRecoverySpecification");
  std::optional<bool> enabled = spec ? Members(*spec).Bool("PointInTimeRecoveryEnabled") : std::nullopt;
  if (!enabled) {
    return call.Fail(
        Status::Validation("1 validation error detected: Value null at 'pointInTimeRecoverySpecification."
                           "pointInTimeRecoveryEnabled' failed to satisfy constraint: Member must not be "
                           "null"));
  }
  std::lock_guard<std::mutex> lock((*table)->mu());
  TableDef def = (*table)->def();
  def.pitr_enabled = *enabled;
  Status s = (*table)->SaveDef(std::move(def));
  if (!s.ok()) return call.Fail(s);
  call.Ok(ContinuousBackups(*enabled));
}

void DescribeContinuousBackups(Call& call) {
  Result<std::shared_ptr<Table>> table = call.FindTable();
  if (!table.ok()) {
    if (table.status().code() != ErrorCode::kResourceNotFound) return call.Fail(table.status());
    std::string name(call.body.String("TableName").value_or(""));
    return call.Fail("TableNotFoundException", "Table not found: " + name);
  }
  std::lock_guard<std::mutex> lock((*table)->mu());
  call.Ok(ContinuousBackups((*table)->def().pitr_enabled));
}

}  // namespace sluice::dynamodb
