#include "cloudwatch/document.h"

#include <charconv>
#include <cmath>
#include <ctime>

#include <fmt/format.h>

#include "util/iso8601.h"

namespace sluice::cloudwatch {

Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.bool_ = b;
  return v;
}

Value Value::Number(double n) {
  Value v;
  v.kind_ = Kind::kNumber;
  v.number_ = n;
  return v;
}

Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.text_ = std::move(s);
  return v;
}

Value Value::Timestamp(double epoch_seconds) {
  Value v;
  v.kind_ = Kind::kTimestamp;
  v.number_ = epoch_seconds;
  return v;
}

Value Value::List() {
  Value v;
  v.kind_ = Kind::kList;
  return v;
}

Value Value::Map() {
  Value v;
  v.kind_ = Kind::kMap;
  return v;
}

std::optional<bool> Value::AsBool() const {
  if (kind_ == Kind::kBool) return bool_;
  if (kind_ == Kind::kString && (text_ == "true" || text_ == "false")) return text_ == "true";
  return std::nullopt;
}

std::optional<double> Value::AsNumber() const {
  if (kind_ == Kind::kNumber) return number_;
  if (kind_ != Kind::kString) return std::nullopt;
  // The query protocol's text, and the special values JSON and the query
  // protocol spell out.
  if (text_ == "NaN") return std::nan("");
  if (text_ == "Infinity") return HUGE_VAL;
  if (text_ == "-Infinity") return -HUGE_VAL;
  double d = 0;
  const char* end = text_.data() + text_.size();
  auto [ptr, ec] = std::from_chars(text_.data(), end, d);
  if (ec != std::errc() || ptr != end || text_.empty()) return std::nullopt;
  return d;
}

std::optional<std::string_view> Value::AsString() const {
  if (kind_ == Kind::kString) return std::string_view(text_);
  return std::nullopt;
}

std::optional<double> Value::AsTime() const {
  if (kind_ == Kind::kTimestamp || kind_ == Kind::kNumber) return number_;
  if (kind_ != Kind::kString) return std::nullopt;
  if (std::optional<double> t = ParseIso8601(text_)) return t;
  return AsNumber();
}

const Value* Value::Find(std::string_view key) const {
  for (const auto& [name, value] : members_) {
    if (name == key) return &value;
  }
  return nullptr;
}

Value& Value::Add(Value item) {
  items_.push_back(std::move(item));
  return items_.back();
}

Value& Value::Set(std::string_view key, Value value) {
  for (auto& [name, existing] : members_) {
    if (name == key) return existing = std::move(value);
  }
  members_.emplace_back(std::string(key), std::move(value));
  return members_.back().second;
}

std::optional<double> ParseIso8601(std::string_view text) {
  std::optional<Iso8601Time> t = sluice::ParseIso8601(text);
  if (!t) return std::nullopt;
  return static_cast<double>(t->seconds) + static_cast<double>(t->nanos) / 1e9;
}

std::string FormatIso8601(double epoch_seconds) {
  const auto millis = static_cast<int64_t>(std::llround(epoch_seconds * 1000));
  const std::time_t whole = static_cast<std::time_t>(millis >= 0 ? millis / 1000 : (millis - 999) / 1000);
  const int64_t ms = millis - static_cast<int64_t>(whole) * 1000;
  std::tm tm{};
  gmtime_r(&whole, &tm);
  std::string out = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                                tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (ms != 0) out += fmt::format(".{:03}", ms);
  out += 'Z';
  return out;
}

}  // namespace sluice::cloudwatch
