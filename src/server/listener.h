// Listening sockets.
#pragma once

#include <cstdint>
#include <string>

#include "util/status.h"

namespace sluice::server {

// A non-blocking, close-on-exec TCP socket bound to host:port with
// SO_REUSEADDR and SO_REUSEPORT (so several loops can each own one listener
// on the same port) and listening. `host` is a numeric IPv4/IPv6 address or a
// name resolvable by getaddrinfo ("localhost"). The caller owns the returned
// descriptor. Errors: IoError naming the address and the failing call.
Result<int> OpenListener(const std::string& host, uint16_t port);

// The local port a bound socket got (for port 0). Errors: IoError.
Result<uint16_t> BoundPort(int fd);

}  // namespace sluice::server
