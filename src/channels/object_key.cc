#include "channels/object_key.h"

#include <fmt/format.h>

#include <ctime>

namespace sluice::channels {
namespace {

std::tm Utc(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm t{};
  gmtime_r(&seconds, &t);
  return t;
}

// yyyy MM dd HH mm ss of `pattern` replaced by the fields of `t`.
std::string FormatTime(std::string_view pattern, const std::tm& t) {
  struct Field {
    std::string_view token;
    int value;
    int width;
  };
  const Field fields[] = {{"yyyy", t.tm_year + 1900, 4}, {"MM", t.tm_mon + 1, 2}, {"dd", t.tm_mday, 2},
                          {"HH", t.tm_hour, 2},          {"mm", t.tm_min, 2},     {"ss", t.tm_sec, 2}};
  std::string out;
  for (size_t i = 0; i < pattern.size();) {
    bool replaced = false;
    for (const Field& f : fields) {
      if (pattern.substr(i, f.token.size()) == f.token) {
        out += fmt::format("{:0{}d}", f.value, f.width);
        i += f.token.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += pattern[i++];
  }
  return out;
}

}  // namespace

std::string ExpandKeyTemplate(std::string_view key_template, const BatchOrigin& origin) {
  std::string out;
  size_t i = 0;
  while (i < key_template.size()) {
    const size_t open = key_template.find("!{", i);
    const size_t close = open == std::string_view::npos ? open : key_template.find('}', open);
    if (close == std::string_view::npos) {
      out += key_template.substr(i);
      break;
    }
    out += key_template.substr(i, open - i);
    const std::string_view expression = key_template.substr(open + 2, close - open - 2);
    if (expression.starts_with("timestamp:")) {
      out += FormatTime(expression.substr(10), Utc(origin.first_arrival_ms));
    } else if (expression == "kinesis:stream-name") {
      out += origin.stream_name;
    } else if (expression == "kinesis:shard-id") {
      out += origin.shard_id;
    } else {
      out += key_template.substr(open, close - open + 1);
    }
    i = close + 1;
  }
  return out;
}

namespace {

std::string ObjectName(const BatchOrigin& origin) {
  return origin.stream_name + "-" + origin.shard_id + "-" +
         FormatTime("yyyy-MM-dd-HH-mm-ss", Utc(origin.first_arrival_ms)) + "-" + origin.first_sequence_number;
}

}  // namespace

std::string ObjectKey(const std::optional<std::string>& key_template, const BatchOrigin& origin,
                      std::string_view extension) {
  // As Firehose's prefix: the name follows the expanded template directly.
  std::string key = ExpandKeyTemplate(key_template ? *key_template : kDefaultKeyTemplate, origin);
  key += ObjectName(origin);
  key += extension;
  return key;
}

std::string DeadLetterKey(std::string_view error_prefix, const BatchOrigin& origin) {
  std::string key(error_prefix);
  key += ExpandKeyTemplate(kDefaultKeyTemplate, origin);
  key += ObjectName(origin);
  key += ".json";
  return key;
}

std::optional<std::string> BucketOfArn(std::string_view arn) {
  constexpr std::string_view kPrefix = "arn:";
  if (!arn.starts_with(kPrefix)) return std::nullopt;
  const size_t at = arn.find(":::");
  if (at == std::string_view::npos || at + 3 >= arn.size()) return std::nullopt;
  const std::string_view bucket = arn.substr(at + 3);
  if (bucket.find('/') != std::string_view::npos || bucket.find(':') != std::string_view::npos) return std::nullopt;
  return std::string(bucket);
}

}  // namespace sluice::channels
