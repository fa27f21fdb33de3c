#include "bench/json_scan.h"

#include <cstring>

namespace sluice::bench::json {
namespace {

constexpr size_t kMaxKey = 126;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Writes `"key"` into buf; returns its length, 0 if the key is too long.
size_t QuotedKey(std::string_view key, char* buf) {
  if (key.size() > kMaxKey) return 0;
  buf[0] = '"';
  std::memcpy(buf + 1, key.data(), key.size());
  buf[key.size() + 1] = '"';
  return key.size() + 2;
}

}  // namespace

size_t FindValue(std::string_view text, std::string_view key, size_t from) {
  char needle[kMaxKey + 2];
  const size_t nlen = QuotedKey(key, needle);
  if (nlen == 0) return std::string_view::npos;
  while (from < text.size()) {
    const void* hit = memmem(text.data() + from, text.size() - from, needle, nlen);
    if (!hit) return std::string_view::npos;
    size_t p = static_cast<size_t>(static_cast<const char*>(hit) - text.data()) + nlen;
    while (p < text.size() && IsSpace(text[p])) ++p;
    if (p < text.size() && text[p] == ':') {
      ++p;
      while (p < text.size() && IsSpace(text[p])) ++p;
      return p < text.size() ? p : std::string_view::npos;
    }
    from = p;  // the quoted word was a value, not a key: keep looking
  }
  return std::string_view::npos;
}

bool ScanRawString(std::string_view text, std::string_view key, size_t* from, std::string_view* out) {
  size_t p = FindValue(text, key, *from);
  if (p == std::string_view::npos || text[p] != '"') return false;
  const size_t start = p + 1;
  size_t q = start;
  while (q < text.size()) {
    const void* hit = std::memchr(text.data() + q, '"', text.size() - q);
    if (!hit) return false;
    q = static_cast<size_t>(static_cast<const char*>(hit) - text.data());
    // A quote preceded by an odd number of backslashes is escaped.
    size_t bs = 0;
    while (q - bs > start && text[q - bs - 1] == '\\') ++bs;
    if (bs % 2 == 0) break;
    ++q;
  }
  if (q >= text.size()) return false;
  *out = text.substr(start, q - start);
  *from = q + 1;
  return true;
}

bool ScanString(std::string_view text, std::string_view key, std::string* out) {
  size_t from = 0;
  std::string_view raw;
  if (!ScanRawString(text, key, &from, &raw)) return false;
  out->clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\' || i + 1 == raw.size()) {
      out->push_back(c);
      continue;
    }
    char e = raw[++i];
    switch (e) {
      case 'n': out->push_back('\n'); break;
      case 't': out->push_back('\t'); break;
      case 'r': out->push_back('\r'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'u':
        if (i + 4 < raw.size() && raw.substr(i + 1, 2) == "00") {
          auto hex = [](char h) { return h >= '0' && h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10; };
          out->push_back(static_cast<char>(hex(raw[i + 3]) * 16 + hex(raw[i + 4])));
          i += 4;
        } else {
          out->append("\\u");
        }
        break;
      default: out->push_back(e); break;  // \" \\ \/
    }
  }
  return true;
}

bool ScanInt(std::string_view text, std::string_view key, int64_t* out) {
  size_t p = FindValue(text, key);
  if (p == std::string_view::npos) return false;
  bool neg = false;
  if (text[p] == '-') {
    neg = true;
    ++p;
  }
  if (p >= text.size() || text[p] < '0' || text[p] > '9') return false;
  int64_t v = 0;
  int digits = 0;
  while (p < text.size() && text[p] >= '0' && text[p] <= '9') {
    if (++digits > 18) return false;
    v = v * 10 + (text[p++] - '0');
  }
  *out = neg ? -v : v;
  return true;
}

size_t CountKey(std::string_view text, std::string_view key) {
  char needle[kMaxKey + 2];
  const size_t nlen = QuotedKey(key, needle);
  if (nlen == 0) return 0;
  size_t n = 0, from = 0;
  while (from < text.size()) {
    const void* hit = memmem(text.data() + from, text.size() - from, needle, nlen);
    if (!hit) break;
    size_t p = static_cast<size_t>(static_cast<const char*>(hit) - text.data()) + nlen;
    while (p < text.size() && IsSpace(text[p])) ++p;
    if (p < text.size() && text[p] == ':') ++n;
    from = p;
  }
  return n;
}

}  // namespace sluice::bench::json
