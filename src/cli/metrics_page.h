// GET /metrics as the composition root joins it: the engine's families, the
// server's open connections and the gateway's request counters, rendered in
// the Prometheus text format.
#pragma once

#include <memory>

#include "channels/delivery.h"
#include "cli/cluster_control.h"
#include "cloudwatch/metric_store.h"
#include "engine/engine.h"
#include "gateway/gateway.h"
#include "groups/coordinator.h"
#include "metrics/text_stream.h"
#include "server/server.h"

namespace sluice::cli {

// A streamed body (server/http_types.h) that writes `text` as the client
// reads it: pieces of about 64 KiB, no more made while 256 KiB wait to be
// sent, so the whole text never sits in memory at once.
std::shared_ptr<server::StreamingBody> StreamedText(std::shared_ptr<metrics::TextStream> text);

// The page to register as the gateway's "/metrics", its body streamed
// (StreamedText): the engine's per-stream series, the per-shard series of
// streams with enhanced monitoring (console/metric_families.h), and the
// server's, the gateway's, CloudWatch's, the consumer groups'
// (groups/group_metrics.h), the process's and the build's.
// `server` may be null (no connection counts), and so may `cloudwatch` (no
// CloudWatch metrics), `delivery` (no channel metrics) and `groups` (no
// group metrics), and so may `cluster` (not in a cluster: no
// cluster/cluster_metrics.h families).
// Every argument outlives the page.
gateway::Gateway::Page MetricsPage(const engine::Engine& engine, const server::Server* server,
                                   const gateway::Gateway& gateway, const cloudwatch::MetricStore* cloudwatch = nullptr,
                                   const channels::Delivery* delivery = nullptr, groups::Coordinator* groups = nullptr,
                                   const ClusterControl* cluster = nullptr);

}  // namespace sluice::cli
