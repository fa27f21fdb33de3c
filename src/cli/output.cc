#include "cli/output.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "protocol/json_writer.h"
#include "util/iso8601.h"

namespace sluice::cli {
namespace {

using u128 = unsigned __int128;

std::optional<u128> ParseU128(std::string_view s) {
  if (s.empty() || s.size() > 39) return std::nullopt;
  u128 v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const u128 next = v * 10 + static_cast<unsigned>(c - '0');
    if (next / 10 != v) return std::nullopt;
    v = next;
  }
  return v;
}

std::string U128ToString(u128 v) {
  if (v == 0) return "0";
  std::string out;
  while (v > 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

std::string FormatRecord(RecordFormat format, const client::Record& r) {
  std::string out;
  switch (format) {
    case RecordFormat::kRaw: out = r.data; break;
    case RecordFormat::kJson: {
      protocol::JsonWriter w(&out);
      w.BeginObject();
      w.Member("ShardId", r.shard_id);
      w.Member("SequenceNumber", r.sequence_number);
      w.Member("PartitionKey", r.partition_key);
      w.Key("ApproximateArrivalTimestamp");
      w.TimestampMillis(r.arrival_ms);
      w.Key("Data");
      w.Blob(r.data);
      w.EndObject();
      break;
    }
    case RecordFormat::kHex: {
      static constexpr char kDigits[] = "0123456789abcdef";
      out = r.shard_id + " " + r.sequence_number + " " + r.partition_key + " ";
      for (unsigned char c : r.data) {
        out.push_back(kDigits[c >> 4]);
        out.push_back(kDigits[c & 15]);
      }
      break;
    }
  }
  out.push_back('\n');
  return out;
}

std::string FormatTable(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths(header.size(), 0);
  for (size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string l;
    for (size_t i = 0; i < widths.size(); ++i) {
      const std::string& cell = i < cells.size() ? cells[i] : std::string();
      l += cell;
      if (i + 1 < widths.size()) l.append(widths[i] - cell.size() + 2, ' ');
    }
    while (!l.empty() && l.back() == ' ') l.pop_back();
    out += l + "\n";
  };
  line(header);
  for (const auto& row : rows) line(row);
  return out;
}

std::optional<int64_t> ParseTime(std::string_view text, int64_t now_ms) {
  if (text.empty()) return std::nullopt;
  if (text[0] == '-') {  // an age: -30s, -5m, -2h, -1d
    std::string_view n = text.substr(1, text.size() - 2);
    int64_t unit = 0;
    switch (text.back()) {
      case 's': unit = 1000; break;
      case 'm': unit = 60 * 1000; break;
      case 'h': unit = 3600 * 1000; break;
      case 'd': unit = 86400 * 1000; break;
      default: return std::nullopt;
    }
    if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    return now_ms - std::stoll(std::string(n)) * unit;
  }
  if (text.find_first_not_of("0123456789.") == std::string_view::npos) {  // epoch seconds
    const size_t dot = text.find('.');
    std::string_view whole = text.substr(0, dot);
    if (whole.empty() || whole.size() > 12) return std::nullopt;
    int64_t ms = std::stoll(std::string(whole)) * 1000;
    if (dot != std::string_view::npos) {
      std::string_view frac = text.substr(dot + 1);
      if (frac.find('.') != std::string_view::npos) return std::nullopt;
      int64_t scale = 100;
      for (size_t i = 0; i < frac.size() && i < 3; ++i, scale /= 10) ms += (frac[i] - '0') * scale;
    }
    return ms;
  }
  std::optional<Iso8601Time> t = ParseIso8601(text);
  if (!t || t->offset_seconds) return std::nullopt;  // UTC only
  return t->seconds * 1000 + t->nanos / 1000000;
}

std::string FormatTime(int64_t epoch_ms) {
  const time_t seconds = static_cast<time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epoch_ms % 1000));
  return buf;
}

std::optional<std::string> KeyFromJsonField(std::string_view line, std::string_view field) {
  static thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(line.data(), line.size()).get(doc) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::object obj;
  if (doc.get_object().get(obj) != simdjson::SUCCESS) return std::nullopt;
  simdjson::dom::element value;
  if (obj.at_key(field).get(value) != simdjson::SUCCESS) return std::nullopt;
  switch (value.type()) {
    case simdjson::dom::element_type::STRING: {
      std::string_view s;
      if (value.get_string().get(s) != simdjson::SUCCESS) return std::nullopt;
      return std::string(s);
    }
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
    case simdjson::dom::element_type::BOOL: return simdjson::minify(value);
    default: return std::nullopt;
  }
}

std::optional<std::string> MiddleHashKey(std::string_view start, std::string_view end) {
  std::optional<u128> a = ParseU128(start);
  std::optional<u128> b = ParseU128(end);
  if (!a || !b || *b <= *a) return std::nullopt;
  return U128ToString(*a + (*b - *a) / 2 + 1);
}

std::string ShardIdFromArg(std::string_view arg) {
  if (arg.empty() || arg.size() > 12 || arg.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::string(arg);
  }
  return "shardId-" + std::string(12 - arg.size(), '0') + std::string(arg);
}

std::string WrittenSoFar(uint64_t written, uint64_t first_unwritten_line, uint64_t written_after) {
  std::string out = std::to_string(written) + (written == 1 ? " record was" : " records were") +
                    " written, the first unwritten is line " + std::to_string(first_unwritten_line);
  if (written_after > 0) {
    out += " (" + std::to_string(written_after) + (written_after == 1 ? " line" : " lines") + " after it " +
           (written_after == 1 ? "was" : "were") + " written too)";
  }
  return out;
}

}  // namespace sluice::cli
