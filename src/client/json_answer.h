// Reading the JSON answers of the service: members that are absent or of
// another type read as empty, and a body that is not a JSON object is a
// ProtocolError. Internal to the client library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "client/types.h"
#include "protocol/json_reader.h"
#include "util/status.h"

namespace sluice::client {

inline Error BadAnswer(std::string_view operation, const Status& status) {
  return Error{"ProtocolError", "unexpected " + std::string(operation) + " answer: " + status.ToString(), 0};
}

inline std::string Str(const protocol::JsonObject& o, std::string_view key) {
  std::optional<std::string_view> v;
  if (!o.GetString(key, &v).ok() || !v) return {};
  return std::string(*v);
}

inline int64_t Long(const protocol::JsonObject& o, std::string_view key) {
  std::optional<int64_t> v;
  if (!o.GetLong(key, &v).ok() || !v) return 0;
  return *v;
}

inline bool Bool(const protocol::JsonObject& o, std::string_view key) {
  std::optional<bool> v;
  if (!o.GetBoolean(key, &v).ok() || !v) return false;
  return *v;
}

inline int64_t Millis(const protocol::JsonObject& o, std::string_view key) {
  std::optional<int64_t> v;
  if (!o.GetTimestampMillis(key, &v).ok() || !v) return 0;
  return *v;
}

// Parses `body` (empty reads as {}) and hands its top-level object to `read`.
template <typename T, typename F>
Outcome<T> ReadAnswer(std::string_view operation, std::string_view body, F&& read) {
  Result<protocol::JsonObject> doc = protocol::ParseJsonRequest(body.empty() ? std::string_view("{}") : body);
  if (!doc.ok()) return BadAnswer(operation, doc.status());
  return read(*doc);
}

}  // namespace sluice::client
