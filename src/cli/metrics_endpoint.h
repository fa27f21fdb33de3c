// The text of GET /metrics: the engine's per-stream and per-shard counters
// (named after the service's CloudWatch metrics), the storage's group commit
// and recovery, the server's open connections and the gateway's requests,
// in the Prometheus text format (metrics/exposition.h).
#pragma once

#include <string>

#include "cli/request_metrics.h"
#include "engine/engine_metrics.h"
#include "metrics/exposition.h"
#include "server/server.h"

namespace sluice::cli {

// Adds the engine's and the server's families to `out`.
void AddEngineMetrics(const engine::EngineMetrics& engine, metrics::Exposition& out);
void AddServerMetrics(const server::OpenConnections& connections, metrics::Exposition& out);

}  // namespace sluice::cli
