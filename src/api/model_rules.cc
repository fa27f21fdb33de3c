#include "api/model_rules.h"

#include <array>

namespace sluice::api {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// 0|([1-9]\d{0,max_rest})
bool MatchesDecimal(std::string_view s, size_t max_rest) {
  if (s == "0") return true;
  if (s.empty() || s.size() > max_rest + 1 || s[0] < '1' || s[0] > '9') return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

}  // namespace

bool MatchesNamePattern(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool MatchesSequenceNumberPattern(std::string_view s) { return MatchesDecimal(s, 128); }
bool MatchesHashKeyPattern(std::string_view s) { return MatchesDecimal(s, 38); }

namespace {

// Anchored match of arn:aws.*:kinesis:.*:\d{12}:<middle>stream/\S+ in linear
// time (no backtracking regex: inputs may be long), where <middle> is empty
// (StreamARN) or `.*` (ResourceARN). `.` excludes line terminators; \S
// excludes [ \t\n\x0B\f\r].
bool MatchesArnPattern(std::string_view s, bool any_middle) {
  constexpr std::string_view kPrefix = "arn:aws";
  constexpr std::string_view kKinesis = ":kinesis:";
  constexpr std::string_view kStream = "stream/";
  if (s.substr(0, kPrefix.size()) != kPrefix) return false;
  size_t kinesis = s.find(kKinesis, kPrefix.size());
  if (kinesis == std::string_view::npos) return false;
  size_t newline = s.find_first_of("\r\n", kPrefix.size());
  size_t last_space = s.find_last_of(" \t\n\v\f\r");
  // The tail (\S+) must start after the last whitespace character.
  auto tail_ok = [&](size_t tail) {
    return tail < s.size() && (last_space == std::string_view::npos || last_space < tail);
  };
  for (size_t j = kinesis + kKinesis.size(); j + 13 < s.size(); ++j) {
    if (newline != std::string_view::npos && newline < j) return false;
    if (s[j] != ':') continue;
    bool digits = true;
    for (size_t k = j + 1; k < j + 13; ++k) digits = digits && IsDigit(s[k]);
    if (!digits || s[j + 13] != ':') continue;
    const size_t middle = j + 14;
    if (!any_middle) {
      if (s.substr(middle, kStream.size()) == kStream && tail_ok(middle + kStream.size())) return true;
      continue;
    }
    // `.*(stream|channel|queue)/`: any of them before the first line
    // terminator after `middle`.
    for (std::string_view kind : {kStream, std::string_view("channel/"), std::string_view("queue/")}) {
      for (size_t p = s.find(kind, middle); p != std::string_view::npos; p = s.find(kind, p + 1)) {
        if (newline != std::string_view::npos && newline >= middle && newline < p) break;
        if (tail_ok(p + kind.size())) return true;
      }
    }
  }
  return false;
}

}  // namespace

bool MatchesStreamArnPattern(std::string_view s) { return MatchesArnPattern(s, false); }
bool MatchesResourceArnPattern(std::string_view s) { return MatchesArnPattern(s, true); }

void CheckStreamName(protocol::ValidationErrors& errors, std::string_view path, std::optional<std::string_view> value,
                     bool required) {
  errors.CheckString(path, value, required, kNamePattern, &MatchesNamePattern, 1, 128);
}

void CheckStreamArn(protocol::ValidationErrors& errors, std::optional<std::string_view> value, bool required) {
  errors.CheckString("streamARN", value, required, kStreamArnPattern, &MatchesStreamArnPattern, 1, 2048);
}

void CheckShardId(protocol::ValidationErrors& errors, std::string_view path, std::optional<std::string_view> value,
                  bool required) {
  errors.CheckString(path, value, required, kNamePattern, &MatchesNamePattern, 1, 128);
}

void CheckSequenceNumber(protocol::ValidationErrors& errors, std::string_view path,
                         std::optional<std::string_view> value) {
  if (value && !MatchesSequenceNumberPattern(*value)) {
    errors.Add(value, path,
               std::string("Member must satisfy regular expression pattern: ").append(kSequenceNumberPattern));
  }
}

void CheckHashKey(protocol::ValidationErrors& errors, std::string_view path, std::optional<std::string_view> value) {
  if (value && !MatchesHashKeyPattern(*value)) {
    errors.Add(value, path, std::string("Member must satisfy regular expression pattern: ").append(kHashKeyPattern));
  }
}

void CheckRecordDistributionStrategy(protocol::ValidationErrors& errors, std::optional<std::string_view> value,
                                     bool required) {
  static constexpr std::array<std::string_view, 2> kStrategies = {"AUTO", "USER_PARTITION_KEY"};
  errors.CheckEnum("recordDistributionStrategy", value, required, kStrategies);
}

}  // namespace sluice::api
