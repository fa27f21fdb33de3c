// AttributeValue: one DynamoDB value, and an Item (attribute name → value).
//
// Wire form (JSON 1.0): {"S":"text"}, {"N":"12.5"}, {"B":"<base64>"},
// {"BOOL":true}, {"NULL":true}, {"SS":[...]}, {"NS":[...]}, {"BS":[...]},
// {"L":[values]}, {"M":{name: value}}. Values held here are already
// validated: N and NS members in canonical text (decimal.h), B and BS
// decoded to raw bytes, sets non-empty and free of duplicates.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "protocol/json_writer.h"
#include "util/status.h"

namespace sluice::dynamodb {

enum class ValueType { kS, kN, kB, kBool, kNull, kSS, kNS, kBS, kL, kM };

// "S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M".
std::string_view TypeName(ValueType type);
// The type named `name`, or nullopt.
std::optional<ValueType> TypeFromName(std::string_view name);

struct Value;
using Item = std::map<std::string, Value>;

struct Value {
  ValueType type = ValueType::kNull;
  std::string scalar;            // S text, N canonical text, B bytes
  bool boolean = false;          // BOOL, and NULL (always true)
  std::vector<std::string> set;  // SS, NS (canonical), BS members, in order given
  std::vector<Value> list;       // L
  Item map;                      // M

  static Value Scalar(ValueType type, std::string s) {
    Value v;
    v.type = type;
    v.scalar = std::move(s);
    return v;
  }
  static Value String(std::string s) { return Scalar(ValueType::kS, std::move(s)); }
  static Value Number(std::string canonical) { return Scalar(ValueType::kN, std::move(canonical)); }
  static Value Binary(std::string bytes) { return Scalar(ValueType::kB, std::move(bytes)); }
  static Value Bool(bool b) {
    Value v;
    v.type = ValueType::kBool;
    v.boolean = b;
    return v;
  }
  static Value Null() {
    Value v;
    v.boolean = true;
    return v;
  }

  bool is_set() const { return type == ValueType::kSS || type == ValueType::kNS || type == ValueType::kBS; }
};

// Deep equality as DynamoDB defines it: numbers by value, sets regardless
// of order.
bool Equal(const Value& a, const Value& b);

// Order of two scalars of the same type (S and B by unsigned bytes, N by
// value): -1, 0, 1. Values of other types compare as equal.
int CompareScalars(const Value& a, const Value& b);

// Reads a wire AttributeValue. Errors are ValidationException with the
// service's messages ("Supplied AttributeValue is empty, must contain exactly
// one of the supported datatypes", "One or more parameter values were
// invalid: An string set  may not be empty", numbers out of range...).
Result<Value> ValueFromJson(simdjson::dom::element json);
// Reads a wire item (a map of names to AttributeValues).
Result<Item> ItemFromJson(simdjson::dom::element json);
Result<Item> ItemFromJson(simdjson::dom::object json);

// Key() with `name` escaped as JSON requires (attribute names may hold any
// character).
void WriteKey(protocol::JsonWriter& w, std::string_view name);
void WriteValue(protocol::JsonWriter& w, const Value& value);
void WriteItem(protocol::JsonWriter& w, const Item& item);
std::string ItemToJson(const Item& item);

// An item's size as DynamoDB counts it against the 400 KB limit: each
// attribute's name length plus its value's size.
size_t ItemSize(const Item& item);
size_t ValueSize(const Value& value);
inline constexpr size_t kMaxItemBytes = 400 * 1024;

}  // namespace sluice::dynamodb
