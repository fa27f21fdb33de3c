// The warning lines of what the server refuses or cuts off by itself: 503
// over the memory budget, 408 after the body deadline, and streamed
// responses ended because their client stopped reading while the budget was
// exceeded. A flood of them (a thousand stalled clients) must not flood the
// log: each kind gets at most one line a second, which says how many like it
// were suppressed since the last one (util/rate_limiter.h).
//
// Threading: thread-safe (one limiter per kind, shared by every loop).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "server/memory_budget.h"

namespace sluice::server {

// `who`: "http: connection 7" or "http2: connection 7 stream 3".
void LogRefusal(std::string_view who, int status, std::string_view message);

// A streamed response whose client read nothing for `idle_ms` is ended
// (`action`: "ending" or "resetting") with `unsent` bytes left.
void LogStalledStreamEnded(std::string_view who, std::string_view action, int64_t idle_ms, const MemoryBudget& budget,
                           size_t unsent);

}  // namespace sluice::server
