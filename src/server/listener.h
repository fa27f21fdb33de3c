// Listening sockets.
#pragma once

#include <cstdint>
#include <string>

#include "util/status.h"

namespace sluice::server {

// A non-blocking, close-on-exec TCP socket bound to host:port with
// SO_REUSEADDR (a restart may bind while old connections are in TIME_WAIT)
// and listening. Not SO_REUSEPORT: that would let a second server on the
// same port bind too and take a share of the connections; the loops of one
// server share this one socket instead (see event_loop.h). `host` is a
// numeric IPv4/IPv6 address or a name resolvable by getaddrinfo
// ("localhost"). The caller owns the returned descriptor. Errors: IoError
// naming the address and the failing call ("cannot listen on
// 127.0.0.1:4567: bind: Address already in use").
Result<int> OpenListener(const std::string& host, uint16_t port);

// The local port a bound socket got (for port 0). Errors: IoError.
Result<uint16_t> BoundPort(int fd);

}  // namespace sluice::server
