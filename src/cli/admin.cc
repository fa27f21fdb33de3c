#include "cli/admin.h"

#include "protocol/json_writer.h"
#include "util/log.h"

namespace sluice::cli {
namespace {

server::HttpResponse Json(int status, std::string body) {
  server::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

server::HttpResponse Error(int status, std::string_view message) {
  std::string body;
  protocol::JsonWriter w(&body);
  w.BeginObject();
  w.Member("error", message);
  w.EndObject();
  return Json(status, std::move(body));
}

}  // namespace

void Admin::Handle(const server::HttpRequest& req, server::Responder respond) {
  std::string_view path = req.target.substr(0, req.target.find('?'));
  if (path == "/admin/faults") {
    if (req.method == "GET") return respond(Json(200, faults_.Describe()));
    if (req.method == "PUT" || req.method == "POST") {
      Status st = faults_.Replace(req.body);
      if (!st.ok()) return respond(Error(400, st.message()));
      std::string rules = faults_.Describe();
      log::Info("admin: fault rules replaced: {}", rules);
      return respond(Json(200, std::move(rules)));
    }
    if (req.method == "DELETE") {
      faults_.Clear();
      log::Info("admin: fault rules removed");
      return respond(Json(200, faults_.Describe()));
    }
    return respond(Error(405, "use GET, PUT, POST or DELETE"));
  }
  if (path == "/admin/limits") {
    if (req.method == "GET") return respond(Json(200, limits_json_));
    return respond(Error(405, "use GET"));
  }
  respond(Error(404, "unknown admin path (known: /admin/faults, /admin/limits)"));
}

}  // namespace sluice::cli
