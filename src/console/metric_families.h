// The families of GET /metrics that know the engine and the server: the
// engine's per-stream and per-shard counters (named after the service's
// CloudWatch metrics), the storage's group commit and recovery, and the
// server's open connections, in the Prometheus text format
// (metrics/exposition.h). The gateway adds its own request counters
// (Gateway::AddMetrics); the composition root joins them.
//
// Like CloudWatch, every stream reports its stream-level series
// (`sluice_stream_*`, summed over its shards), and only a stream with
// enhanced monitoring reports shard-level series, and only those of the
// metrics its ShardLevelMetrics name:
//   IncomingRecords  sluice_incoming_records_total
//   IncomingBytes    sluice_incoming_bytes_total
//   OutgoingRecords  sluice_get_records_records_total, sluice_subscribe_to_shard_{events,records}_total
//   OutgoingBytes    sluice_get_records_bytes_total
//   WriteProvisionedThroughputExceeded  sluice_write_provisioned_throughput_exceeded_total
//   ReadProvisionedThroughputExceeded   sluice_read_provisioned_throughput_exceeded_total
//   IteratorAgeMilliseconds             sluice_iterator_age_{milliseconds,seconds}
// So a scrape grows with streams, not with idle shards.
#pragma once

#include <memory>

#include "engine/engine_metrics.h"
#include "metrics/exposition.h"
#include "metrics/text_stream.h"
#include "server/server.h"

namespace sluice::console {

// Adds the engine's families to `out`. The families over streams and shards
// are written from `engine` (which their parts share) a few hundred samples
// at a time, as `out` is read; the rest (streams by status, subscriptions,
// storage) is rendered at once. Reads the shards `engine` holds
// (Engine::Metrics(ShardDetail::kEnhanced) holds those it needs).
void AddEngineMetrics(std::shared_ptr<const engine::EngineMetrics> engine, metrics::TextStream& out);
void AddServerMetrics(const server::OpenConnections& connections, metrics::Exposition& out);

}  // namespace sluice::console
