#include "dynamodb/table_def.h"

#include <simdjson.h>

#include "protocol/json_writer.h"

namespace sluice::dynamodb {
namespace {

void WriteKeySchema(protocol::JsonWriter& w, const KeySchema& key) {
  w.BeginArray();
  for (const KeyElement* e : {&key.hash, key.range ? &*key.range : nullptr}) {
    if (e == nullptr) continue;
    w.BeginObject();
    w.Member("name", e->name);
    w.Member("type", TypeName(e->type));
    w.EndObject();
  }
  w.EndArray();
}

bool ReadKeySchema(simdjson::dom::element json, KeySchema* key) {
  simdjson::dom::array arr;
  if (json.get_array().get(arr) != simdjson::SUCCESS || arr.size() == 0 || arr.size() > 2) return false;
  size_t i = 0;
  for (simdjson::dom::element e : arr) {
    std::string_view name, type;
    if (e["name"].get_string().get(name) || e["type"].get_string().get(type)) return false;
    std::optional<ValueType> t = TypeFromName(type);
    if (!t) return false;
    KeyElement element{std::string(name), *t};
    if (i++ == 0) {
      key->hash = element;
    } else {
      key->range = element;
    }
  }
  return true;
}

}  // namespace

const IndexDef* TableDef::FindIndex(std::string_view index_name) const {
  for (const IndexDef& index : global_indexes) {
    if (index.name == index_name) return &index;
  }
  return nullptr;
}

std::string EncodeTableDef(const TableDef& def) {
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.MemberInt("version", 1);
  w.Member("name", def.name);
  w.Member("id", def.id);
  w.Key("key");
  WriteKeySchema(w, def.key);
  w.Key("attributes");
  w.BeginArray();
  for (const auto& [name, type] : def.attributes) {
    w.BeginObject();
    w.Member("name", name);
    w.Member("type", TypeName(type));
    w.EndObject();
  }
  w.EndArray();
  w.MemberBool("payPerRequest", def.pay_per_request);
  w.MemberInt("readCapacity", def.read_capacity);
  w.MemberInt("writeCapacity", def.write_capacity);
  w.Key("globalIndexes");
  w.BeginArray();
  for (const IndexDef& index : def.global_indexes) {
    w.BeginObject();
    w.Member("name", index.name);
    w.Key("key");
    WriteKeySchema(w, index.key);
    w.Member("projectionType", index.projection_type);
    w.Key("nonKeyAttributes");
    w.BeginArray();
    for (const std::string& a : index.non_key_attributes) w.String(a);
    w.EndArray();
    w.MemberInt("readCapacity", index.read_capacity);
    w.MemberInt("writeCapacity", index.write_capacity);
    w.EndObject();
  }
  w.EndArray();
  w.MemberBool("deletionProtection", def.deletion_protection);
  w.Key("tags");
  w.BeginArray();
  for (const auto& [k, v] : def.tags) {
    w.BeginObject();
    w.Member("key", k);
    w.Member("value", v);
    w.EndObject();
  }
  w.EndArray();
  w.MemberInt("createdMs", def.created_ms);
  w.MemberBool("ttlEnabled", def.ttl_enabled);
  w.Member("ttlAttribute", def.ttl_attribute);
  w.MemberBool("pitrEnabled", def.pitr_enabled);
  w.EndObject();
  return out;
}

Result<TableDef> DecodeTableDef(std::string_view document) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto bad = [] { return Status::Corruption("the table document does not read back"); };
  if (parser.parse(document.data(), document.size()).get(root)) return bad();
  TableDef def;
  std::string_view s;
  if (root["name"].get_string().get(s)) return bad();
  def.name = s;
  if (root["id"].get_string().get(s)) return bad();
  def.id = s;
  simdjson::dom::element key;
  if (root["key"].get(key) || !ReadKeySchema(key, &def.key)) return bad();
  simdjson::dom::array arr;
  if (root["attributes"].get_array().get(arr)) return bad();
  for (simdjson::dom::element e : arr) {
    std::string_view name, type;
    if (e["name"].get_string().get(name) || e["type"].get_string().get(type) || !TypeFromName(type)) return bad();
    def.attributes.emplace_back(std::string(name), *TypeFromName(type));
  }
  if (root["payPerRequest"].get_bool().get(def.pay_per_request)) return bad();
  if (root["readCapacity"].get_int64().get(def.read_capacity)) return bad();
  if (root["writeCapacity"].get_int64().get(def.write_capacity)) return bad();
  if (root["globalIndexes"].get_array().get(arr)) return bad();
  for (simdjson::dom::element e : arr) {
    IndexDef index;
    if (e["name"].get_string().get(s)) return bad();
    index.name = s;
    simdjson::dom::element index_key;
    if (e["key"].get(index_key) || !ReadKeySchema(index_key, &index.key)) return bad();
    if (e["projectionType"].get_string().get(s)) return bad();
    index.projection_type = s;
    simdjson::dom::array non_key;
    if (e["nonKeyAttributes"].get_array().get(non_key)) return bad();
    for (simdjson::dom::element a : non_key) {
      if (a.get_string().get(s)) return bad();
      index.non_key_attributes.emplace_back(s);
    }
    if (e["readCapacity"].get_int64().get(index.read_capacity)) return bad();
    if (e["writeCapacity"].get_int64().get(index.write_capacity)) return bad();
    def.global_indexes.push_back(std::move(index));
  }
  if (root["deletionProtection"].get_bool().get(def.deletion_protection)) return bad();
  if (root["tags"].get_array().get(arr)) return bad();
  for (simdjson::dom::element e : arr) {
    std::string_view k, v;
    if (e["key"].get_string().get(k) || e["value"].get_string().get(v)) return bad();
    def.tags.emplace_back(std::string(k), std::string(v));
  }
  if (root["createdMs"].get_int64().get(def.created_ms)) return bad();
  if (root["ttlEnabled"].get_bool().get(def.ttl_enabled)) return bad();
  if (root["ttlAttribute"].get_string().get(s)) return bad();
  def.ttl_attribute = s;
  if (root["pitrEnabled"].get_bool().get(def.pitr_enabled)) return bad();
  return def;
}

}  // namespace sluice::dynamodb
