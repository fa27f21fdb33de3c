// ServerContext: what every loop and connection of one Server shares.
// Owned by the Server; outlives every loop and connection. Read-only after
// construction, so safe to read from any loop thread.
#pragma once

#include <memory>

#include "server/http_types.h"
#include "server/server.h"
#include "server/tls_context.h"

namespace sluice::server {

struct ServerContext {
  ServerOptions options;
  Handler handler;
  std::unique_ptr<TlsContext> tls;  // null unless options.tls.enabled
};

}  // namespace sluice::server
