// Reason phrases and the cached Date header value shared by both protocols.
#pragma once

#include <string_view>

namespace sluice::server {

// "OK", "Not Found", ...; "Unknown" for codes without a registered phrase.
std::string_view ReasonPhrase(int status);

// The current time as an IMF-fixdate ("Tue, 24 Nov 2026 19:04:42 GMT").
// Formatted at most once per second per thread; the view is valid until the
// calling thread's next call.
std::string_view HttpDateNow();

}  // namespace sluice::server
