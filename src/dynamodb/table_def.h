// TableDef: what a table is (not its items): name, key schema, attribute
// definitions, billing, indexes, protection, tags and the state-only
// settings (TTL, point-in-time recovery). Kept as a JSON document beside
// the table's journal (docs/dynamodb-format.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dynamodb/attribute_value.h"
#include "util/status.h"

namespace sluice::dynamodb {

struct KeyElement {
  std::string name;
  ValueType type = ValueType::kS;  // S, N or B
};

struct KeySchema {
  KeyElement hash;
  std::optional<KeyElement> range;
};

struct IndexDef {
  std::string name;
  KeySchema key;
  std::string projection_type = "ALL";  // ALL, KEYS_ONLY, INCLUDE
  std::vector<std::string> non_key_attributes;
  int64_t read_capacity = 0;
  int64_t write_capacity = 0;
};

struct TableDef {
  std::string name;
  std::string id;  // a UUID, as TableId
  KeySchema key;
  std::vector<std::pair<std::string, ValueType>> attributes;  // AttributeDefinitions
  bool pay_per_request = false;
  int64_t read_capacity = 0;
  int64_t write_capacity = 0;
  std::vector<IndexDef> global_indexes;
  bool deletion_protection = false;
  std::vector<std::pair<std::string, std::string>> tags;
  int64_t created_ms = 0;
  bool ttl_enabled = false;
  std::string ttl_attribute;
  bool pitr_enabled = false;

  const IndexDef* FindIndex(std::string_view index_name) const;
};

std::string EncodeTableDef(const TableDef& def);
// Corruption when the document does not read back.
Result<TableDef> DecodeTableDef(std::string_view document);

}  // namespace sluice::dynamodb
