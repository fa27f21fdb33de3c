#include "gateway/forwarded_call.h"

#include <cctype>

namespace sluice::gateway {

ForwardedRequest CopyForForwarding(const ServiceRequest& request, const std::string& node_id) {
  const server::HttpRequest& http = request.http;
  ForwardedRequest copy;
  copy.account = std::string(request.account);
  copy.region = std::string(request.region);
  copy.method = std::string(http.method);
  copy.target = std::string(http.target);
  copy.headers.reserve(http.headers.size() + 1);
  for (const server::HttpHeader& h : http.headers) {
    // Hop-by-hop and framing headers are the client's connection's, not the call's.
    if (h.name == "connection" || h.name == "content-length" || h.name == "transfer-encoding" ||
        h.name == "keep-alive" || h.name == "expect" || h.name == "te" || h.name == "upgrade") {
      continue;
    }
    copy.headers.emplace_back(std::string(h.name), std::string(h.value));
  }
  copy.headers.emplace_back(kForwardedHeader, node_id);
  copy.body = std::string(http.body);
  return copy;
}

ServiceResponse Relayed(ForwardedResponse answer) {
  ServiceResponse r;
  r.status = answer.status;
  for (auto& [name, value] : answer.headers) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "content-type") {
      r.content_type = std::move(value);
    } else if (lower == "x-amzn-errortype") {
      r.error_type = std::move(value);
    }
  }
  r.body = std::move(answer.body);
  return r;
}

}  // namespace sluice::gateway
