#include "dynamodb/attribute_value.h"

#include <algorithm>
#include <set>

#include "dynamodb/decimal.h"
#include "util/base64.h"

namespace sluice::dynamodb {
namespace {

constexpr std::string_view kNames[] = {"S", "N", "B", "BOOL", "NULL", "SS", "NS", "BS", "L", "M"};

Status Invalid(std::string message) {
  return Status::Validation("One or more parameter values were invalid: " + std::move(message));
}

Result<std::string> ReadString(simdjson::dom::element json) {
  std::string_view s;
  if (json.get_string().get(s) != simdjson::SUCCESS) {
    return Status::Serialization("NUMBER_VALUE cannot be converted to String");
  }
  return std::string(s);
}

Result<std::string> ReadBinary(simdjson::dom::element json) {
  Result<std::string> text = ReadString(json);
  if (!text.ok()) return text;
  std::string bytes;
  if (!base64::Decode(*text, &bytes)) {
    return Status::Serialization("Base64 encoded length is expected a multiple of 4 bytes but found: " +
                                 std::to_string(text->size()));
  }
  return bytes;
}

// A set's members: read, canonical, non-empty, without duplicates.
Status ReadSet(simdjson::dom::element json, ValueType type, std::vector<std::string>* out) {
  simdjson::dom::array arr;
  if (json.get_array().get(arr) != simdjson::SUCCESS) {
    return Status::Serialization("Unexpected value type in payload");
  }
  for (simdjson::dom::element e : arr) {
    Result<std::string> member = type == ValueType::kBS ? ReadBinary(e) : ReadString(e);
    if (!member.ok()) return member.status();
    if (type == ValueType::kNS) {
      Result<std::string> n = CanonicalNumber(*member);
      if (!n.ok()) return n.status();
      *member = std::move(n).value();
    }
    out->push_back(std::move(member).value());
  }
  if (out->empty()) {
    if (type == ValueType::kSS) return Invalid("An string set  may not be empty");
    if (type == ValueType::kNS) return Invalid("An number set  may not be empty");
    return Invalid("Binary sets should not be empty");
  }
  std::set<std::string> seen(out->begin(), out->end());
  if (seen.size() != out->size()) {
    std::string listed;
    for (const std::string& m : *out) listed += (listed.empty() ? "" : ", ") + m;
    return Invalid("Input collection [" + listed + "] contains duplicates.");
  }
  return Status::Ok();
}

size_t NumberSize(const std::string& canonical) {
  size_t digits = std::count_if(canonical.begin(), canonical.end(), [](char c) { return c >= '0' && c <= '9'; });
  return (digits + 1) / 2 + 1;
}

}  // namespace

std::string_view TypeName(ValueType type) { return kNames[static_cast<int>(type)]; }

std::optional<ValueType> TypeFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kNames); ++i) {
    if (kNames[i] == name) return static_cast<ValueType>(i);
  }
  return std::nullopt;
}

bool Equal(const Value& a, const Value& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case ValueType::kS:
    case ValueType::kN:  // canonical text: equal numbers have equal text
    case ValueType::kB: return a.scalar == b.scalar;
    case ValueType::kBool:
    case ValueType::kNull: return a.boolean == b.boolean;
    case ValueType::kSS:
    case ValueType::kNS:
    case ValueType::kBS:
      return std::set<std::string>(a.set.begin(), a.set.end()) == std::set<std::string>(b.set.begin(), b.set.end());
    case ValueType::kL:
      if (a.list.size() != b.list.size()) return false;
      for (size_t i = 0; i < a.list.size(); ++i) {
        if (!Equal(a.list[i], b.list[i])) return false;
      }
      return true;
    case ValueType::kM:
      if (a.map.size() != b.map.size()) return false;
      for (const auto& [name, v] : a.map) {
        auto it = b.map.find(name);
        if (it == b.map.end() || !Equal(v, it->second)) return false;
      }
      return true;
  }
  return false;
}

int CompareScalars(const Value& a, const Value& b) {
  if (a.type != b.type) return 0;
  if (a.type == ValueType::kN) {
    Result<Decimal> x = Decimal::Parse(a.scalar);
    Result<Decimal> y = Decimal::Parse(b.scalar);
    if (!x.ok() || !y.ok()) return 0;
    return Decimal::Compare(*x, *y);
  }
  if (a.type == ValueType::kS || a.type == ValueType::kB) {
    // std::string::compare compares as unsigned char.
    int c = a.scalar.compare(b.scalar);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  return 0;
}

Result<Value> ValueFromJson(simdjson::dom::element json) {
  simdjson::dom::object obj;
  if (json.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::Serialization("Unexpected value type in payload");
  }
  std::optional<ValueType> type;
  simdjson::dom::element body;
  for (auto [key, member] : obj) {
    if (member.is_null()) continue;
    std::optional<ValueType> t = TypeFromName(key);
    if (!t) return Status::Serialization("Unexpected field type");
    if (type) {
      return Status::Validation(
          "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported "
          "datatypes");
    }
    type = t;
    body = member;
  }
  if (!type) {
    return Status::Validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  }
  Value v;
  v.type = *type;
  switch (*type) {
    case ValueType::kS: {
      Result<std::string> s = ReadString(body);
      if (!s.ok()) return s.status();
      v.scalar = std::move(s).value();
      break;
    }
    case ValueType::kN: {
      Result<std::string> s = ReadString(body);
      if (!s.ok()) return s.status();
      Result<std::string> n = CanonicalNumber(*s);
      if (!n.ok()) return n.status();
      v.scalar = std::move(n).value();
      break;
    }
    case ValueType::kB: {
      Result<std::string> b = ReadBinary(body);
      if (!b.ok()) return b.status();
      v.scalar = std::move(b).value();
      break;
    }
    case ValueType::kBool:
    case ValueType::kNull: {
      bool b = false;
      if (body.get_bool().get(b) != simdjson::SUCCESS) {
        return Status::Serialization("Unexpected value type in payload");
      }
      if (*type == ValueType::kNull && !b) {
        return Invalid("Null attribute value types must have the value of true");
      }
      v.boolean = b;
      break;
    }
    case ValueType::kSS:
    case ValueType::kNS:
    case ValueType::kBS: SLUICE_RETURN_IF_ERROR(ReadSet(body, *type, &v.set)); break;
    case ValueType::kL: {
      simdjson::dom::array arr;
      if (body.get_array().get(arr) != simdjson::SUCCESS) {
        return Status::Serialization("Unexpected value type in payload");
      }
      for (simdjson::dom::element e : arr) {
        Result<Value> element = ValueFromJson(e);
        if (!element.ok()) return element.status();
        v.list.push_back(std::move(element).value());
      }
      break;
    }
    case ValueType::kM: {
      Result<Item> m = ItemFromJson(body);
      if (!m.ok()) return m.status();
      v.map = std::move(m).value();
      break;
    }
  }
  return v;
}

Result<Item> ItemFromJson(simdjson::dom::element json) {
  simdjson::dom::object obj;
  if (json.get_object().get(obj) != simdjson::SUCCESS) {
    return Status::Serialization("Unexpected value type in payload");
  }
  return ItemFromJson(obj);
}

Result<Item> ItemFromJson(simdjson::dom::object obj) {
  Item item;
  for (auto [key, member] : obj) {
    Result<Value> v = ValueFromJson(member);
    if (!v.ok()) return v.status();
    item[std::string(key)] = std::move(v).value();
  }
  return item;
}

void WriteKey(protocol::JsonWriter& w, std::string_view name) {
  std::string escaped;
  protocol::AppendJsonEscaped(&escaped, name);
  w.Key(escaped);
}

void WriteValue(protocol::JsonWriter& w, const Value& value) {
  w.BeginObject();
  w.Key(TypeName(value.type));
  switch (value.type) {
    case ValueType::kS:
    case ValueType::kN: w.String(value.scalar); break;
    case ValueType::kB: w.Blob(value.scalar); break;
    case ValueType::kBool:
    case ValueType::kNull: w.Bool(value.boolean); break;
    case ValueType::kSS:
    case ValueType::kNS:
    case ValueType::kBS:
      w.BeginArray();
      for (const std::string& m : value.set) value.type == ValueType::kBS ? w.Blob(m) : w.String(m);
      w.EndArray();
      break;
    case ValueType::kL:
      w.BeginArray();
      for (const Value& e : value.list) WriteValue(w, e);
      w.EndArray();
      break;
    case ValueType::kM: WriteItem(w, value.map); break;
  }
  w.EndObject();
}

void WriteItem(protocol::JsonWriter& w, const Item& item) {
  w.BeginObject();
  for (const auto& [name, v] : item) {
    WriteKey(w, name);
    WriteValue(w, v);
  }
  w.EndObject();
}

std::string ItemToJson(const Item& item) {
  std::string out;
  protocol::JsonWriter w(&out);
  WriteItem(w, item);
  return out;
}

size_t ValueSize(const Value& value) {
  switch (value.type) {
    case ValueType::kS:
    case ValueType::kB: return value.scalar.size();
    case ValueType::kN: return NumberSize(value.scalar);
    case ValueType::kBool:
    case ValueType::kNull: return 1;
    case ValueType::kSS:
    case ValueType::kBS: {
      size_t n = 0;
      for (const std::string& m : value.set) n += m.size();
      return n;
    }
    case ValueType::kNS: {
      size_t n = 0;
      for (const std::string& m : value.set) n += NumberSize(m);
      return n;
    }
    case ValueType::kL: {
      size_t n = 3;
      for (const Value& e : value.list) n += ValueSize(e) + 1;
      return n;
    }
    case ValueType::kM: {
      size_t n = 3;
      for (const auto& [name, e] : value.map) n += name.size() + ValueSize(e) + 1;
      return n;
    }
  }
  return 0;
}

size_t ItemSize(const Item& item) {
  size_t n = 0;
  for (const auto& [name, v] : item) n += name.size() + ValueSize(v);
  return n;
}

}  // namespace sluice::dynamodb
