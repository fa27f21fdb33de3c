// The local admin API: a second listener, on 127.0.0.1 only
// (`--admin-port`), for what a test harness changes at run time.
//
//   GET    /admin/faults   the fault rules in force (seeds filled in)
//   PUT    /admin/faults   replace them with the body's {"rules": [...]}
//   POST   /admin/faults   the same as PUT
//   DELETE /admin/faults   remove every rule
//   GET    /admin/limits   the quota figures in force
//
// Answers are JSON; a bad rules document is 400 {"error": "..."} and leaves
// the rules in force unchanged.
#pragma once

#include <string>

#include "api/faults.h"
#include "server/http_types.h"

namespace sluice::cli {

class Admin {
 public:
  // `limits_json`: the document GET /admin/limits answers.
  Admin(api::FaultInjector& faults, std::string limits_json) : faults_(faults), limits_json_(std::move(limits_json)) {}

  // A server::Handler. Thread-safe.
  void Handle(const server::HttpRequest& request, server::Responder respond);

 private:
  api::FaultInjector& faults_;
  std::string limits_json_;
};

}  // namespace sluice::cli
