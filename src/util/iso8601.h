// ISO 8601 timestamps in the extended format, the way AWS writes them
// ("2026-12-07T06:00:00Z", "2026-12-07T06:00:00.250Z",
// "2026-12-07T07:00:00+01:00"): the one reader for every layer that takes
// one (CloudWatch's query protocol, the command line's --from).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice {

// An instant read from ISO 8601 text.
struct Iso8601Time {
  int64_t seconds = 0;  // epoch seconds, UTC (the text's offset applied)
  int64_t nanos = 0;    // the fraction, in [0, 1e9); digits past the ninth are dropped
  // The "+hh:mm" / "-hh:mm" the text gave, in seconds east of UTC; nullopt
  // for 'Z' or no zone. For callers that take UTC only.
  std::optional<int> offset_seconds;
};

// "YYYY-MM-DD" 'T' "hh:mm:ss" (a 't' or a space for the 'T'), an optional
// fraction ".d+" of any length, then an optional zone: 'Z' or 'z', or an
// offset "+hh:mm" / "-hh:mm"; no zone reads as UTC. Nullopt for anything
// else: a short or malformed field, a month, day, hour, minute or second out
// of range (a leap second, :60, is accepted), or trailing text.
std::optional<Iso8601Time> ParseIso8601(std::string_view text);

}  // namespace sluice
