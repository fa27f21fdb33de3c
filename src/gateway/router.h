// Router: picks the service a request is for. A service is matched by its
// X-Amz-Target prefix first, then by its path prefix, then by its content
// type (of the services speaking one content type, the one the request's
// credential scope is signed for, else the first added); a request no service
// claims goes to the fallback service (the one whose endpoint the port
// stands for: it answers unknown targets the way that endpoint does), when
// there is one.
//
// Services are added before serving; Find is then thread-safe (read-only).
#pragma once

#include <string_view>
#include <vector>

#include "gateway/service.h"
#include "server/http_types.h"

namespace sluice::gateway {

struct Route {
  Service* service = nullptr;  // null: no service claims it and there is no fallback
  int index = -1;              // the service's position in the order added
  bool matched = false;        // false: the fallback (or no service) answers
  std::string_view operation;  // see ServiceRequest::operation
};

class Router {
 public:
  // Adds `service` (not owned; it outlives the router) and returns its index.
  // With `fallback`, it also answers the requests no service claims.
  int Add(Service* service, bool fallback);

  Route Find(const server::HttpRequest& request) const;

  const std::vector<Service*>& services() const { return services_; }

 private:
  std::vector<Service*> services_;
  int fallback_ = -1;
};

}  // namespace sluice::gateway
