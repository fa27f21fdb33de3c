#include "http/message.h"

#include "util/ascii.h"

namespace sluice::http {
namespace {

std::string_view Find(const HeaderList& headers, std::string_view name) {
  for (const auto& [n, v] : headers) {
    if (EqualsIgnoreCase(n, name)) return v;
  }
  return {};
}

}  // namespace

std::string_view Request::Header(std::string_view name) const { return Find(headers, name); }
std::string_view Response::Header(std::string_view name) const { return Find(headers, name); }

std::string SerializeHttp1(const Request& request, std::string_view host_header) {
  std::string out;
  out.reserve(request.body.size() + 768);
  out.append(request.method).append(" ").append(request.target).append(" HTTP/1.1\r\n");
  bool has_host = false;
  for (const auto& [name, value] : request.headers) has_host = has_host || EqualsIgnoreCase(name, "host");
  if (!has_host) out.append("Host: ").append(host_header).append("\r\n");
  for (const auto& [name, value] : request.headers) out.append(name).append(": ").append(value).append("\r\n");
  if (!request.body.empty() || request.method != "GET") {
    out.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  }
  out.append("\r\n");
  out.append(request.body);
  return out;
}

}  // namespace sluice::http
