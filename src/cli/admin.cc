#include "cli/admin.h"

#include "console/json_response.h"
#include "util/log.h"

namespace sluice::cli {

using console::JsonErrorResponse;
using console::JsonResponse;

void Admin::Handle(const server::HttpRequest& req, server::Responder respond) {
  std::string_view path = req.target.substr(0, req.target.find('?'));
  if (path == "/admin/faults") {
    if (req.method == "GET") return respond(JsonResponse(200, faults_.Describe()));
    if (req.method == "PUT" || req.method == "POST") {
      Status st = faults_.Replace(req.body);
      if (!st.ok()) return respond(JsonErrorResponse(400, st.message()));
      std::string rules = faults_.Describe();
      log::Info("admin: fault rules replaced: {}", rules);
      return respond(JsonResponse(200, std::move(rules)));
    }
    if (req.method == "DELETE") {
      faults_.Clear();
      log::Info("admin: fault rules removed");
      return respond(JsonResponse(200, faults_.Describe()));
    }
    return respond(JsonErrorResponse(405, "use GET, PUT, POST or DELETE"));
  }
  if (path == "/admin/limits") {
    if (req.method == "GET") return respond(JsonResponse(200, limits_json_));
    return respond(JsonErrorResponse(405, "use GET"));
  }
  respond(JsonErrorResponse(404, "unknown admin path (known: /admin/faults, /admin/limits)"));
}

}  // namespace sluice::cli
