// The value parsers of `sluice bench`'s flags.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::bench {

// A decimal integer in [lo, hi] into *out; false (and *out unchanged) for
// anything else.
bool ParseInt(std::string_view text, int64_t lo, int64_t hi, int64_t* out);

// Split("a,b,,c", ',') -> {"a", "b", "c"}: empty items are dropped.
std::vector<std::string> Split(std::string_view s, char separator);

// "100,10000,100000" -> {100, 10000, 100000}, each in [lo, hi] and at
// least one; false (and *out unchanged) for anything else.
bool ParseCountList(std::string_view text, int64_t lo, int64_t hi, std::vector<int64_t>* out);

}  // namespace sluice::bench
