// GET /metrics as the composition root joins it: the engine's families, the
// server's open connections and the gateway's request counters, rendered in
// the Prometheus text format.
#pragma once

#include "channels/delivery.h"
#include "cloudwatch/metric_store.h"
#include "engine/engine.h"
#include "gateway/gateway.h"
#include "server/server.h"

namespace sluice::cli {

// The page to register as the gateway's "/metrics". `server` may be null
// (no connection counts), `cloudwatch` (no CloudWatch metrics) and
// `delivery` (no channel metrics).
// Every argument outlives the page.
gateway::Gateway::Page MetricsPage(const engine::Engine& engine, const server::Server* server,
                                   const gateway::Gateway& gateway, const cloudwatch::MetricStore* cloudwatch = nullptr,
                                   const channels::Delivery* delivery = nullptr);

}  // namespace sluice::cli
