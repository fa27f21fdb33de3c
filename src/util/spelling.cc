#include "util/spelling.h"

#include <algorithm>
#include <vector>

#include "util/ascii.h"

namespace sluice {

size_t EditDistance(std::string_view a, std::string_view b) {
  // Three rows of the dynamic-programming table: two back (for swaps), the
  // previous one and the current one.
  std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = AsciiLower(a[i - 1]) == AsciiLower(b[j - 1]) ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && AsciiLower(a[i - 1]) == AsciiLower(b[j - 2]) &&
          AsciiLower(a[i - 2]) == AsciiLower(b[j - 1])) {
        current[j] = std::min(current[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::optional<std::string> ClosestName(std::string_view typed, std::span<const std::string_view> candidates) {
  std::optional<std::string> best;
  size_t best_distance = 0;
  for (std::string_view c : candidates) {
    const size_t d = EditDistance(typed, c);
    const size_t allowed = std::clamp<size_t>(std::max(typed.size(), c.size()) / 3, 1, 3);
    if (d > allowed || (best && d >= best_distance)) continue;
    best = std::string(c);
    best_distance = d;
  }
  return best;
}

}  // namespace sluice
