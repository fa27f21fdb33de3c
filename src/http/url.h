// Where an outbound call goes: the scheme, host and port of a base URL.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/status.h"

namespace sluice::http {

struct Url {
  bool tls = false;  // https://
  std::string host;  // name or address, without brackets
  uint16_t port = 0;
  std::string host_header;  // "host" or "host:port" (port omitted when it is the scheme's default)
};

// Parses "http://host[:port][/]" or "https://..." (IPv6 in brackets). A path
// or query is refused: requests name their own paths.
// Errors: InvalidArgument naming what is wrong.
Result<Url> ParseUrl(std::string_view url);

}  // namespace sluice::http
