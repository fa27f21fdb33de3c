// The families of GET /metrics that know the engine and the server: the
// engine's per-stream and per-shard counters (named after the service's
// CloudWatch metrics), the storage's group commit and recovery, and the
// server's open connections, in the Prometheus text format
// (metrics/exposition.h). The gateway adds its own request counters
// (Gateway::AddMetrics); the composition root joins them.
#pragma once

#include "engine/engine_metrics.h"
#include "metrics/exposition.h"
#include "server/server.h"

namespace sluice::console {

// Adds the engine's and the server's families to `out`.
void AddEngineMetrics(const engine::EngineMetrics& engine, metrics::Exposition& out);
void AddServerMetrics(const server::OpenConnections& connections, metrics::Exposition& out);

}  // namespace sluice::console
