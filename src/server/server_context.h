// ServerContext: what every loop and connection of one Server shares.
// Owned by the Server; outlives every loop and connection. Read-only after
// construction, so safe to read from any loop thread; the memory budget is
// the one shared, thread-safe counter.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "server/error_response.h"
#include "server/http_types.h"
#include "server/memory_budget.h"
#include "server/server.h"
#include "server/tls_context.h"

namespace sluice::server {

// Open connections by protocol and transport; raised and lowered by the
// connections on their loop threads, read by Server::OpenConnections().
struct ConnectionGauges {
  mutable std::atomic<int64_t> http1{0}, http1_tls{0}, http2{0}, http2_tls{0};
  std::atomic<int64_t>& Slot(bool h2, bool tls) const {
    return h2 ? (tls ? http2_tls : http2) : (tls ? http1_tls : http1);
  }
};

struct ServerContext {
  ServerOptions options;
  Handler handler;
  std::unique_ptr<TlsContext> tls;  // null unless options.tls.enabled
  ConnectionGauges connections;
  mutable MemoryBudget budget{options.max_buffered_bytes};

  // The answer to a request the server refuses by itself (503 over the
  // memory budget, 408 after the body deadline), in the AWS error shape.
  HttpResponse Refusal(int status, std::string_view message) const { return ErrorResponse(status, message); }
};

}  // namespace sluice::server
