// GET /metrics as the composition root joins it: the engine's families, the
// server's open connections and the gateway's request counters, rendered in
// the Prometheus text format.
#pragma once

#include "engine/engine.h"
#include "gateway/gateway.h"
#include "server/server.h"

namespace sluice::cli {

// The page to register as the gateway's "/metrics". `server` may be null
// (no connection counts). Every argument outlives the page.
gateway::Gateway::Page MetricsPage(const engine::Engine& engine, const server::Server* server,
                                   const gateway::Gateway& gateway);

}  // namespace sluice::cli
