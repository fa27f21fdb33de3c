// Leveled logging to stderr, one line per event, thread-safe (one write(2)
// per line). Two formats (SetFormat):
//   text (default): "<time> <LEVEL> <msg>[ key=value ...]"
//   json:           {"time":"<time>","level":"info","msg":"<msg>"[,"key":value ...]}
// <time> is UTC with milliseconds, e.g. 2026-01-02T03:04:05.678Z. Fields
// are key/value pairs (values strings or numbers) that a log collector can
// filter on; text lines append them after the message, quoting values that
// contain spaces, quotes or control characters.
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace sluice::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };
enum class Format { kText, kJson };

// One key/value of a structured line. Integers and doubles are numbers in
// JSON; everything else a string.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  template <std::integral T>
  requires(!std::same_as<T, bool>) Field(std::string_view k, T v) : key(k), value(std::to_string(v)), number(true) {}
  Field(std::string_view k, double v) : key(k), value(fmt::format("{}", v)), number(true) {}
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), number(true) {}

  std::string_view key;
  std::string value;
  bool number = false;  // written unquoted in JSON (numbers, booleans)
};

void SetLevel(Level level);
void SetFormat(Format format);
bool Enabled(Level level);
void Write(Level level, std::string_view message);
void Write(Level level, std::string_view message, std::span<const Field> fields);

// The line Write() prints (with its newline), for a time in epoch
// milliseconds. Exposed for tests.
std::string FormatLine(Format format, Level level, int64_t epoch_ms, std::string_view message,
                       std::span<const Field> fields);
// `s` as the inside of a JSON string: quotes, backslashes and control
// characters escaped, bytes that are not UTF-8 replaced by U+FFFD.
void AppendJsonEscaped(std::string* out, std::string_view s);

// A structured line: log::Event(log::Level::kInfo, "request", {{"operation", op}, {"status", 200}}).
inline void Event(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (Enabled(level)) Write(level, message, std::span<const Field>(fields.begin(), fields.size()));
}

template <typename... Args>
void Info(fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Warn(fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Error(fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kError)) Write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Debug(fmt::format_string<Args...> f, Args&&... args) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace sluice::log
