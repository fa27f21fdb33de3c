// Document: one CloudWatch request or response as a tree of values, the
// form every wire protocol of the service decodes to and encodes from (RPC v2
// CBOR, JSON 1.0, the query protocol), so that the operations are written
// once.
//
// Scalars keep what the wire gave them: the query protocol sends every value
// as text, so the readers (Number, Integer, Time) also accept a string that
// spells one ("1.5", "60", "2026-12-07T06:00:00Z"). Timestamps are epoch
// seconds (fractions allowed), as RPC v2 CBOR and JSON 1.0 carry them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::cloudwatch {

class Value {
 public:
  enum class Kind { kNull, kBool, kNumber, kString, kTimestamp, kList, kMap };

  Value() = default;
  static Value Bool(bool b);
  static Value Number(double n);
  static Value String(std::string s);
  static Value Timestamp(double epoch_seconds);
  static Value List();
  static Value Map();

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }

  // Readers; nullopt when the value is of another kind (or text that does
  // not spell one).
  std::optional<bool> AsBool() const;
  std::optional<double> AsNumber() const;
  std::optional<std::string_view> AsString() const;
  // Epoch seconds: a timestamp, a number, or ISO 8601 text (query protocol).
  std::optional<double> AsTime() const;

  // Lists: items in order. Maps: members in order (keys unique).
  const std::vector<Value>& items() const { return items_; }
  const std::vector<std::pair<std::string, Value>>& members() const { return members_; }
  // The member `key` of a map, or null when absent (or this is no map).
  const Value* Find(std::string_view key) const;
  // Builders. Add appends to a list; Set adds or replaces a map member and
  // returns it.
  Value& Add(Value item);
  Value& Set(std::string_view key, Value value);

 private:
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  double number_ = 0;
  std::string text_;
  std::vector<Value> items_;
  std::vector<std::pair<std::string, Value>> members_;
};

// "2026-12-07T06:00:00Z", "2026-12-07T06:00:00.250Z" or with a "+hh:mm"
// offset, as epoch seconds; nullopt for anything else (util/iso8601.h).
std::optional<double> ParseIso8601(std::string_view text);
// Epoch seconds as "2026-12-07T06:00:00.250Z" (milliseconds only when not
// whole).
std::string FormatIso8601(double epoch_seconds);

}  // namespace sluice::cloudwatch
