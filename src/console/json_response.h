// JSON answers of the server's own pages (the console's API, the admin API):
// a body with its status, and {"error": "<message>"} for refusals.
#pragma once

#include <string>
#include <string_view>

#include "protocol/json_writer.h"
#include "server/http_types.h"

namespace sluice::console {

inline server::HttpResponse JsonResponse(int status, std::string body) {
  server::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.headers.emplace_back("Cache-Control", "no-store");
  r.body = std::move(body);
  return r;
}

inline server::HttpResponse JsonErrorResponse(int status, std::string_view message) {
  std::string body;
  protocol::JsonWriter w(&body);
  w.BeginObject();
  w.Member("error", message);
  w.EndObject();
  return JsonResponse(status, std::move(body));
}

}  // namespace sluice::console
