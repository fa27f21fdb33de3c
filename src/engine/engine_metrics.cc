// Engine::Metrics: copies the activity counters for the metrics endpoint.
#include "engine/engine_metrics.h"

#include "engine/engine_impl.h"
#include "storage/recovery_stats.h"

namespace sluice::engine {
namespace {

// Adds `shard`'s counters to the stream's `totals`.
void AddTo(ShardMetrics& totals, const ShardMetrics& shard) {
  totals.incoming_records += shard.incoming_records;
  totals.incoming_bytes += shard.incoming_bytes;
  totals.write_throughput_exceeded += shard.write_throughput_exceeded;
  totals.get_records_records += shard.get_records_records;
  totals.get_records_bytes += shard.get_records_bytes;
  totals.iterator_age_ms = std::max(totals.iterator_age_ms, shard.iterator_age_ms);
  totals.read_throughput_exceeded += shard.read_throughput_exceeded;
  totals.subscribe_events += shard.subscribe_events;
  totals.subscribe_records += shard.subscribe_records;
  HistogramSnapshot& into = totals.get_records_latency_us;
  const HistogramSnapshot& h = shard.get_records_latency_us;
  if (into.counts.empty()) {
    into = h;
    return;
  }
  for (size_t i = 0; i < into.counts.size() && i < h.counts.size(); ++i) into.counts[i] += h.counts[i];
  into.sum += h.sum;
}

// The latency histogram of a shard never counted: the usual buckets, empty.
const HistogramSnapshot& NoLatencies() {
  static const HistogramSnapshot empty{AtomicHistogram::LatencyMicrosBounds(),
                                       std::vector<uint64_t>(AtomicHistogram::LatencyMicrosBounds().size() + 1), 0};
  return empty;
}

// Copies a shard's live counters into `m`; `c` is null for a shard never
// counted (its counters were not built), whose figures are all zero.
void CopyCounters(const ShardCounters* c, ShardMetrics* m) {
  if (c == nullptr) {
    m->get_records_latency_us = NoLatencies();
    return;
  }
  m->incoming_records = c->incoming_records.load(std::memory_order_relaxed);
  m->incoming_bytes = c->incoming_bytes.load(std::memory_order_relaxed);
  m->write_throughput_exceeded = c->write_throughput_exceeded.load(std::memory_order_relaxed);
  m->get_records_records = c->get_records_records.load(std::memory_order_relaxed);
  m->get_records_bytes = c->get_records_bytes.load(std::memory_order_relaxed);
  m->iterator_age_ms = c->iterator_age_ms.load(std::memory_order_relaxed);
  m->read_throughput_exceeded = c->read_throughput_exceeded.load(std::memory_order_relaxed);
  m->subscribe_events = c->subscribe_events.load(std::memory_order_relaxed);
  m->subscribe_records = c->subscribe_records.load(std::memory_order_relaxed);
  m->get_records_latency_us = c->get_records_latency_us.Read();
}

}  // namespace

EngineMetrics Engine::Impl::Metrics(ShardDetail detail) const {
  EngineMetrics out;
  const std::vector<std::shared_ptr<StreamState>> states = Streams();
  out.streams.reserve(states.size());
  for (const auto& state : states) {
    StreamMetrics stream;
    std::shared_lock lock(state->mu);
    stream.ref = state->meta.ref;
    stream.status = state->meta.status;
    stream.mode = state->meta.mode;
    stream.retention_hours = state->meta.retention_hours;
    stream.shard_level_metrics = state->meta.shard_level_metrics;
    const bool keep_shards =
        detail == ShardDetail::kAll || (detail == ShardDetail::kEnhanced && !stream.shard_level_metrics.empty());
    if (keep_shards) stream.shards.reserve(state->shards.size());
    for (size_t i = 0; i < state->shards.size() && i < state->meta.shards.size(); ++i) {
      ShardState& shard = *state->shards[i];
      ShardMetrics m;
      if (keep_shards) m.shard_id = ShardIdFor(state->meta.shards[i].index);
      m.open = state->meta.shards[i].open();
      (m.open ? stream.open_shards : stream.closed_shards) += 1;
      CopyCounters(shard.counters.Peek(), &m);
      {
        std::shared_lock life(shard.life);
        if (shard.log) {
          stream.bytes_on_disk += shard.log->SizeBytes();
          out.storage.loaded_shard_logs += shard.log->IsLoaded() ? 1 : 0;
        }
      }
      AddTo(stream.totals, m);
      if (keep_shards) stream.shards.push_back(std::move(m));
    }
    out.streams.push_back(std::move(stream));
  }
  subscriptions_->AddMetrics(&out);
  stores_->AddMetrics(&out.storage);
  const storage::RecoveryStats recovery = storage::ReadRecoveryStats();
  out.storage.truncated_tails = recovery.truncated_tails;
  out.storage.rebuilt_indexes = recovery.rebuilt_indexes;
  out.storage.damaged_batches = recovery.damaged_batches;
  out.storage.offset_gaps = recovery.offset_gaps;
  out.storage.missing_shard_dirs = missing_shard_dirs_;
  out.storage.shard_log_unloads = housekeeping_->UnloadCount();
  return out;
}

}  // namespace sluice::engine
