#include "cloudwatch/json_document.h"

#include <simdjson.h>

#include "protocol/json_writer.h"

namespace sluice::cloudwatch {
namespace {

Value FromJson(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::OBJECT: {
      Value map = Value::Map();
      simdjson::dom::object object;
      if (e.get_object().get(object) != simdjson::SUCCESS) return map;
      for (auto [key, member] : object) {
        if (!member.is_null()) map.Set(key, FromJson(member));
      }
      return map;
    }
    case simdjson::dom::element_type::ARRAY: {
      Value list = Value::List();
      simdjson::dom::array array;
      if (e.get_array().get(array) != simdjson::SUCCESS) return list;
      for (simdjson::dom::element item : array) list.Add(FromJson(item));
      return list;
    }
    case simdjson::dom::element_type::STRING: return Value::String(std::string(e.get_string().value_unsafe()));
    case simdjson::dom::element_type::INT64: return Value::Number(static_cast<double>(e.get_int64().value_unsafe()));
    case simdjson::dom::element_type::UINT64: return Value::Number(static_cast<double>(e.get_uint64().value_unsafe()));
    case simdjson::dom::element_type::DOUBLE: return Value::Number(e.get_double().value_unsafe());
    case simdjson::dom::element_type::BOOL: return Value::Bool(e.get_bool().value_unsafe());
    case simdjson::dom::element_type::NULL_VALUE: return Value();
  }
  return Value();
}

void Write(protocol::JsonWriter& w, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull: w.Null(); break;
    case Value::Kind::kBool: w.Bool(*v.AsBool()); break;
    case Value::Kind::kNumber: w.Double(*v.AsNumber()); break;
    case Value::Kind::kString: w.String(*v.AsString()); break;
    case Value::Kind::kTimestamp: w.Double(*v.AsTime()); break;
    case Value::Kind::kList:
      w.BeginArray();
      for (const Value& item : v.items()) Write(w, item);
      w.EndArray();
      break;
    case Value::Kind::kMap:
      w.BeginObject();
      for (const auto& [key, member] : v.members()) {
        w.Key(key);
        Write(w, member);
      }
      w.EndObject();
      break;
  }
}

}  // namespace

Result<Value> DecodeJsonDocument(std::string_view text) {
  if (text.empty()) return Value::Map();
  simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element root;
  if (parser.parse(padded).get(root) != simdjson::SUCCESS || !root.is_object()) {
    return Status::Serialization("");
  }
  return FromJson(root);
}

std::string EncodeJsonDocument(const Value& value) {
  std::string out;
  protocol::JsonWriter w(&out);
  Write(w, value);
  return out;
}

}  // namespace sluice::cloudwatch
