#include "http/url.h"

namespace sluice::http {

Result<Url> ParseUrl(std::string_view url) {
  auto bad = [&](std::string_view why) { return Status::InvalidArgument(std::string(why) + std::string(url)); };
  Url out;
  std::string_view rest = url;
  if (rest.substr(0, 7) == "http://") {
    rest.remove_prefix(7);
  } else if (rest.substr(0, 8) == "https://") {
    rest.remove_prefix(8);
    out.tls = true;
  } else {
    return bad("the endpoint must start with http:// or https://: ");
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos || rest.find('?') != std::string_view::npos) {
    return bad("the endpoint must not have a path: ");
  }
  std::string_view host = rest;
  std::string_view port_text;
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:port
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("bad endpoint: ");
    host = rest.substr(1, close - 1);
    if (close + 1 < rest.size()) {
      if (rest[close + 1] != ':') return bad("bad endpoint: ");
      port_text = rest.substr(close + 2);
    }
  } else if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  }
  if (host.empty()) return bad("the endpoint has no host: ");
  const int default_port = out.tls ? 443 : 80;
  int port = default_port;
  if (!port_text.empty()) {
    port = 0;
    for (char ch : port_text) {
      if (ch < '0' || ch > '9' || port > 65535) return bad("bad port in endpoint: ");
      port = port * 10 + (ch - '0');
    }
    if (port <= 0 || port > 65535) return bad("bad port in endpoint: ");
  }
  out.host = std::string(host);
  out.port = static_cast<uint16_t>(port);
  const bool v6 = out.host.find(':') != std::string::npos;
  out.host_header = v6 ? "[" + out.host + "]" : out.host;
  if (port != default_port) out.host_header += ":" + std::to_string(port);
  return out;
}

}  // namespace sluice::http
