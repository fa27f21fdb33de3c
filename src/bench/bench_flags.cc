#include "bench/bench_flags.h"

#include <cstdlib>

namespace sluice::bench {

bool ParseInt(std::string_view text, int64_t lo, int64_t hi, int64_t* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  std::string s(text);
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (*end != '\0' || v < lo || v > hi) return false;
  *out = v;
  return true;
}

std::vector<std::string> Split(std::string_view s, char separator) {
  std::vector<std::string> out;
  while (!s.empty()) {
    size_t at = s.find(separator);
    if (at != 0) out.emplace_back(s.substr(0, at));
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return out;
}

bool ParseCountList(std::string_view text, int64_t lo, int64_t hi, std::vector<int64_t>* out) {
  std::vector<int64_t> counts;
  for (const std::string& item : Split(text, ',')) {
    int64_t v = 0;
    if (!ParseInt(item, lo, hi, &v)) return false;
    counts.push_back(v);
  }
  if (counts.empty()) return false;
  *out = std::move(counts);
  return true;
}

}  // namespace sluice::bench
