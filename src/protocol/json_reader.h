// Reading JSON 1.1 request bodies with the Kinesis service's type checks.
//
// ParseJsonRequest parses a body with a per-thread simdjson parser. The typed
// getters of JsonObject then read one member each and apply the checks the
// service's Java deserializer applies, returning SerializationException with
// its exact messages (e.g. "class com.amazon.coral.value.json.numbers.
// TruncatingBigNumber can not be converted to an String"). Callers read
// members in the service's order, so the first wrong type reported is the
// one the service reports.
//
// Conventions shared by every getter:
//   - a missing member and a JSON null both yield std::nullopt (absent);
//   - unknown members are never looked at (ignored);
//   - numbers are floored and clamped to the Java type's range, never
//     rejected.
//
// Lifetime: every view (strings, objects, arrays) points into the parser of
// the calling thread and stays valid until that thread's next
// ParseJsonRequest call.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <simdjson.h>

#include "protocol/byte_arena.h"
#include "util/status.h"

namespace sluice::protocol {

class JsonArray;

// A JSON object of a request (the body, a structure or a map).
class JsonObject {
 public:
  // An object with no members (what a null structure reads as).
  JsonObject() = default;
  explicit JsonObject(simdjson::dom::object obj) : obj_(obj), valid_(true) {}

  Status GetString(std::string_view key, std::optional<std::string_view>* out) const;
  // Java Integer: floored, clamped to [-2^31, 2^31-1].
  Status GetInteger(std::string_view key, std::optional<int64_t>* out) const;
  // Java Long: floored, clamped to the int64 range.
  Status GetLong(std::string_view key, std::optional<int64_t>* out) const;
  Status GetBoolean(std::string_view key, std::optional<bool>* out) const;
  // Epoch seconds (integer or fraction) converted to epoch milliseconds.
  Status GetTimestampMillis(std::string_view key, std::optional<int64_t>* out) const;
  // A base64 blob, decoded into `arena`; `out` views the decoded bytes.
  Status GetBlob(std::string_view key, ByteArena* arena, std::optional<std::string_view>* out) const;
  Status GetList(std::string_view key, std::optional<JsonArray>* out) const;
  Status GetStructure(std::string_view key, std::optional<JsonObject>* out) const;
  Status GetMap(std::string_view key, std::optional<JsonObject>* out) const;

  // Members in document order, for maps.
  // Valid only when !empty_structure().
  simdjson::dom::object raw() const { return obj_; }
  // The object written back as compact JSON.
  std::string ToJson() const;
  bool empty_structure() const { return !valid_; }
  size_t size() const { return valid_ ? obj_.size() : 0; }

 private:
  // The member value, or nullopt when absent or null.
  std::optional<simdjson::dom::element> Find(std::string_view key) const;

  simdjson::dom::object obj_;
  bool valid_ = false;
};

// A JSON array of a request.
class JsonArray {
 public:
  JsonArray() = default;
  explicit JsonArray(simdjson::dom::array arr) : arr_(arr) {}

  size_t size() const { return arr_.size(); }
  simdjson::dom::array raw() const { return arr_; }

  // The structure at `index` (< size()): an object, or an empty structure
  // for null; other types are a SerializationException.
  Status StructureAt(size_t index, JsonObject* out) const;
  // The string at `index`; null yields nullopt.
  Status StringAt(size_t index, std::optional<std::string_view>* out) const;

 private:
  simdjson::dom::array arr_;
};

// Parses `body` with this thread's parser. A body that is not valid JSON or
// not an object is SerializationException with an empty message.
Result<JsonObject> ParseJsonRequest(std::string_view body);

// The checks of one value, shared with JsonArray.
Status CheckString(simdjson::dom::element value, std::optional<std::string_view>* out);
Status CheckStructure(simdjson::dom::element value, std::optional<JsonObject>* out);

}  // namespace sluice::protocol
