#include "protocol/json_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "util/base64.h"

namespace sluice::protocol {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kNumberClass = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";
constexpr std::string_view kBooleanClass = "class java.lang.Boolean";
constexpr std::string_view kStringClass = "class java.lang.String";
constexpr std::string_view kListFound = "Start of list found where not expected";
constexpr std::string_view kStructFound = "Start of structure or map found where not expected.";

Status TypeError(std::string message) { return Status::Serialization(std::move(message)); }

Status ContainerMismatch(element_type t) {
  return TypeError(std::string(t == element_type::ARRAY ? kListFound : kStructFound));
}

bool IsNumber(element_type t) {
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

// Floors a JSON number and clamps it to [lo, hi].
int64_t FlooredClamped(element value, int64_t lo, int64_t hi) {
  switch (value.type()) {
    case element_type::INT64: {
      int64_t v = value.get_int64().value_unsafe();
      return v < lo ? lo : (v > hi ? hi : v);
    }
    case element_type::UINT64: {
      uint64_t v = value.get_uint64().value_unsafe();
      return v > static_cast<uint64_t>(hi) ? hi : static_cast<int64_t>(v);
    }
    default: {
      double d = std::floor(value.get_double().value_unsafe());
      if (d <= static_cast<double>(lo)) return lo;
      if (d >= static_cast<double>(hi)) return hi;
      return static_cast<int64_t>(d);
    }
  }
}

double AsDouble(element value) {
  switch (value.type()) {
    case element_type::INT64: return static_cast<double>(value.get_int64().value_unsafe());
    case element_type::UINT64: return static_cast<double>(value.get_uint64().value_unsafe());
    default: return value.get_double().value_unsafe();
  }
}

Status CheckNumber(element value, const char* java_type, int64_t lo, int64_t hi, std::optional<int64_t>* out) {
  element_type t = value.type();
  if (IsNumber(t)) {
    *out = FlooredClamped(value, lo, hi);
    return Status::Ok();
  }
  switch (t) {
    case element_type::BOOL: return TypeError(std::string(kBooleanClass) + " can not be converted to an " + java_type);
    case element_type::STRING: return TypeError(std::string(kStringClass) + " can not be converted to an " + java_type);
    default: return ContainerMismatch(t);
  }
}

std::string BlobError(std::string_view text, std::string_view detail) {
  std::string m;
  m.reserve(text.size() + detail.size() + 40);
  m.append("'").append(text).append("' can not be converted to a Blob: ").append(detail);
  return m;
}

}  // namespace

Status CheckString(element value, std::optional<std::string_view>* out) {
  element_type t = value.type();
  if (t == element_type::STRING) {
    *out = value.get_string().value_unsafe();
    return Status::Ok();
  }
  if (t == element_type::NULL_VALUE) {
    out->reset();
    return Status::Ok();
  }
  if (IsNumber(t)) return TypeError(std::string(kNumberClass) + " can not be converted to an String");
  if (t == element_type::BOOL) return TypeError(std::string(kBooleanClass) + " can not be converted to an String");
  return ContainerMismatch(t);
}

Status CheckStructure(element value, std::optional<JsonObject>* out) {
  element_type t = value.type();
  if (t == element_type::OBJECT) {
    *out = JsonObject(value.get_object().value_unsafe());
    return Status::Ok();
  }
  if (t == element_type::NULL_VALUE) {
    out->reset();
    return Status::Ok();
  }
  if (t == element_type::ARRAY) return TypeError(std::string(kListFound));
  return TypeError("Expected null");
}

std::optional<element> JsonObject::Find(std::string_view key) const {
  if (!valid_) return std::nullopt;
  // Linear scan: request objects have a handful of members.
  for (auto field : obj_) {
    if (field.key == key) {
      if (field.value.type() == element_type::NULL_VALUE) return std::nullopt;
      return field.value;
    }
  }
  return std::nullopt;
}

Status JsonObject::GetString(std::string_view key, std::optional<std::string_view>* out) const {
  out->reset();
  auto v = Find(key);
  if (!v) return Status::Ok();
  return CheckString(*v, out);
}

Status JsonObject::GetInteger(std::string_view key, std::optional<int64_t>* out) const {
  out->reset();
  auto v = Find(key);
  if (!v) return Status::Ok();
  return CheckNumber(*v, "Integer", std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), out);
}

Status JsonObject::GetLong(std::string_view key, std::optional<int64_t>* out) const {
  out->reset();
  auto v = Find(key);
  if (!v) return Status::Ok();
  return CheckNumber(*v, "Long", std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), out);
}

Status JsonObject::GetBoolean(std::string_view key, std::optional<bool>* out) const {
  out->reset();
  auto v = Find(key);
  if (!v) return Status::Ok();
  element_type t = v->type();
  if (t == element_type::BOOL) {
    *out = v->get_bool().value_unsafe();
    return Status::Ok();
  }
  if (IsNumber(t)) return TypeError(std::string(kNumberClass) + " can not be converted to an Boolean");
  if (t == element_type::STRING) {
    std::string upper(v->get_string().value_unsafe());
    for (char& c : upper) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return TypeError("'" + upper + "' can not be converted to an Boolean");
  }
  return ContainerMismatch(t);
}

Status JsonObject::GetTimestampMillis(std::string_view key, std::optional<int64_t>* out) const {
  out->reset();
  auto v = Find(key);
  if (!v) return Status::Ok();
  element_type t = v->type();
  if (IsNumber(t)) {
    double ms = std::round(AsDouble(*v) * 1000.0);
    constexpr double kLimit = 9.2e18;
    if (ms > kLimit) ms = kLimit;
    if (ms < -kLimit) ms = -kLimit;
    *out = static_cast<int64_t>(ms);
    return Status::Ok();
  }
  if (t == element_type::BOOL)
    return TypeError(std::string(kBooleanClass) + " can not be converted to milliseconds since epoch");
  if (t == element_type::STRING)
    return TypeError(std::string(kStringClass) + " can not be converted to milliseconds since epoch");
  return ContainerMismatch(t);
}

Status JsonObject::GetBlob(std::string_view key, ByteArena* arena, std::optional<std::string_view>* out) const {
  out->reset();
  auto v = Find(key);
  if (!v) return Status::Ok();
  element_type t = v->type();
  if (t != element_type::STRING) {
    if (IsNumber(t)) return TypeError(std::string(kNumberClass) + " can not be converted to a Blob");
    if (t == element_type::BOOL) return TypeError(std::string(kBooleanClass) + " can not be converted to a Blob");
    return ContainerMismatch(t);
  }
  std::string_view text = v->get_string().value_unsafe();
  char* dst = arena->Allocate(base64::MaxDecodedSize(text.size()));
  size_t len = 0;
  base64::DecodeResult r = base64::Decode(text, dst, &len);
  switch (r.error) {
    case base64::DecodeError::kNone: *out = std::string_view(dst, len); return Status::Ok();
    case base64::DecodeError::kLength:
      return TypeError(BlobError(
          text, "Base64 encoded length is expected a multiple of 4 bytes but found: " + std::to_string(text.size())));
    case base64::DecodeError::kCharacter:
      return TypeError(BlobError(text, std::string("Invalid Base64 character: '") + r.bad_char + "'"));
    case base64::DecodeError::kLastCharacter:
      return TypeError(BlobError(text, "Invalid last non-pad Base64 character dectected"));
  }
  return Status::Internal("unreachable");
}

Status JsonObject::GetList(std::string_view key, std::optional<JsonArray>* out) const {
  out->reset();
  auto v = Find(key);
  if (!v) return Status::Ok();
  element_type t = v->type();
  if (t == element_type::ARRAY) {
    *out = JsonArray(v->get_array().value_unsafe());
    return Status::Ok();
  }
  if (t == element_type::OBJECT) return TypeError(std::string(kStructFound));
  return TypeError("Expected list or null");
}

Status JsonObject::GetStructure(std::string_view key, std::optional<JsonObject>* out) const {
  out->reset();
  auto v = Find(key);
  if (!v) return Status::Ok();
  return CheckStructure(*v, out);
}

Status JsonObject::GetMap(std::string_view key, std::optional<JsonObject>* out) const {
  out->reset();
  auto v = Find(key);
  if (!v) return Status::Ok();
  element_type t = v->type();
  if (t == element_type::OBJECT) {
    *out = JsonObject(v->get_object().value_unsafe());
    return Status::Ok();
  }
  if (t == element_type::ARRAY) return TypeError(std::string(kListFound));
  return TypeError("Expected map or null");
}

Status JsonArray::StructureAt(size_t index, JsonObject* out) const {
  auto v = arr_.at(index);
  if (v.error()) return Status::Internal("array index out of range");
  std::optional<JsonObject> obj;
  SLUICE_RETURN_IF_ERROR(CheckStructure(v.value_unsafe(), &obj));
  *out = obj ? *obj : JsonObject();
  return Status::Ok();
}

Status JsonArray::StringAt(size_t index, std::optional<std::string_view>* out) const {
  auto v = arr_.at(index);
  if (v.error()) return Status::Internal("array index out of range");
  return CheckString(v.value_unsafe(), out);
}

namespace {

// Rewrites number tokens simdjson cannot represent (integers beyond 64 bits,
// doubles beyond the double range) to the largest representable value of
// the same sign, so that they are clamped like the service's deserializer
// does instead of failing the whole body. Strings are copied untouched.
// Returns false when nothing needed rewriting.
bool ClampOversizedNumbers(std::string_view in, std::string* out) {
  bool changed = false;
  out->clear();
  out->reserve(in.size());
  size_t i = 0;
  while (i < in.size()) {
    char c = in[i];
    if (c == '"') {
      size_t j = i + 1;
      while (j < in.size() && in[j] != '"') j += (in[j] == '\\') ? 2 : 1;
      j = std::min(j + 1, in.size());
      out->append(in.substr(i, j - i));
      i = j;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      size_t j = i + (c == '-' ? 1 : 0);
      size_t digits = 0;
      bool real = false;
      while (j < in.size()) {
        char d = in[j];
        if (d >= '0' && d <= '9') {
          ++digits;
        } else if (d == '.' || d == 'e' || d == 'E' || d == '+' || d == '-') {
          real = true;
        } else {
          break;
        }
        ++j;
      }
      std::string_view token = in.substr(i, j - i);
      bool negative = c == '-';
      if (!real && digits > 18) {
        out->append(negative ? "-9223372036854775808" : "9223372036854775807");
        changed = true;
      } else if (real && std::isinf(std::strtod(std::string(token).c_str(), nullptr))) {
        out->append(negative ? "-1.7976931348623157e308" : "1.7976931348623157e308");
        changed = true;
      } else {
        out->append(token);
      }
      i = j;
      continue;
    }
    out->push_back(c);
    ++i;
  }
  return changed;
}

}  // namespace

Result<JsonObject> ParseJsonRequest(std::string_view body) {
  thread_local simdjson::dom::parser parser;
  auto doc = parser.parse(body.data(), body.size(), /*realloc_if_needed=*/true);
  if (doc.error() == simdjson::NUMBER_OUT_OF_RANGE || doc.error() == simdjson::NUMBER_ERROR) {
    // Rare: out-of-range numbers. The parser copies the rewritten body into
    // its own buffer, so the temporary may die after parse().
    std::string clamped;
    if (ClampOversizedNumbers(body, &clamped)) doc = parser.parse(clamped.data(), clamped.size(), true);
  }
  if (doc.error()) return Status::Serialization("");
  auto obj = doc.value_unsafe().get_object();
  if (obj.error()) return Status::Serialization("");
  return JsonObject(obj.value_unsafe());
}

std::string JsonObject::ToJson() const { return valid_ ? simdjson::minify(obj_) : std::string("{}"); }

}  // namespace sluice::protocol
