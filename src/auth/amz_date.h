// The two request-time formats SigV4 accepts, and the one it signs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::auth {

// "20261124T223000Z" (ISO 8601 basic format, UTC) -> epoch seconds.
// InvalidArgument for another shape or a date that does not exist.
Result<int64_t> ParseAmzDate(std::string_view s);

// "Tue, 24 Nov 2026 22:30:00 GMT" (the HTTP Date header, RFC 7231 IMF-fixdate)
// -> epoch seconds. InvalidArgument as ParseAmzDate.
Result<int64_t> ParseHttpDate(std::string_view s);

// Epoch seconds -> "20261124T223000Z".
std::string FormatAmzDate(int64_t epoch_seconds);

}  // namespace sluice::auth
