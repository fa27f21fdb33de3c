#include "console/metric_families.h"

namespace sluice::console {
namespace {

using metrics::Family;
using metrics::Labels;
using metrics::MetricType;

Labels ShardLabels(const engine::StreamMetrics& stream, const engine::ShardMetrics& shard) {
  return {{"stream", stream.ref.name},
          {"shard", shard.shard_id},
          {"account", stream.ref.account},
          {"region", stream.ref.region}};
}

Labels StreamLabels(const engine::StreamMetrics& stream) {
  return {{"stream", stream.ref.name}, {"account", stream.ref.account}, {"region", stream.ref.region}};
}

// One per-shard family: `value` picks the field.
template <typename Value>
void AddShardFamily(const engine::EngineMetrics& engine, metrics::Exposition& out, const std::string& name,
                    const std::string& help, MetricType type, Value value) {
  Family& family = out.Declare(name, help, type);
  for (const engine::StreamMetrics& stream : engine.streams) {
    for (const engine::ShardMetrics& shard : stream.shards) family.Add(ShardLabels(stream, shard), value(shard));
  }
}

}  // namespace

void AddEngineMetrics(const engine::EngineMetrics& engine, metrics::Exposition& out) {
  using S = engine::ShardMetrics;
  AddShardFamily(
      engine, out, "sluice_incoming_records_total",
      "IncomingRecords: records successfully put to the shard (PutRecord, PutRecords), counted once durable.",
      MetricType::kCounter, [](const S& s) { return s.incoming_records; });
  AddShardFamily(engine, out, "sluice_incoming_bytes_total",
                 "IncomingBytes: data bytes of the records successfully put to the shard (partition keys not counted).",
                 MetricType::kCounter, [](const S& s) { return s.incoming_bytes; });
  AddShardFamily(engine, out, "sluice_get_records_records_total",
                 "GetRecords.Records: records returned by GetRecords from the shard.", MetricType::kCounter,
                 [](const S& s) { return s.get_records_records; });
  AddShardFamily(engine, out, "sluice_get_records_bytes_total",
                 "GetRecords.Bytes: data bytes of the records returned by GetRecords from the shard.",
                 MetricType::kCounter, [](const S& s) { return s.get_records_bytes; });
  Family& latency = out.Declare("sluice_get_records_latency_seconds",
                                "GetRecords.Latency: time the engine took to answer a GetRecords on the shard.",
                                MetricType::kHistogram);
  for (const engine::StreamMetrics& stream : engine.streams) {
    for (const engine::ShardMetrics& shard : stream.shards) {
      latency.AddHistogram(ShardLabels(stream, shard), shard.get_records_latency_us, 1e-6);
    }
  }
  AddShardFamily(
      engine, out, "sluice_iterator_age_milliseconds",
      "GetRecords.IteratorAgeMilliseconds: MillisBehindLatest of the shard's last GetRecords (0 before any).",
      MetricType::kGauge, [](const S& s) { return s.iterator_age_ms; });
  AddShardFamily(engine, out, "sluice_iterator_age_seconds",
                 "The shard's iterator age (sluice_iterator_age_milliseconds) in seconds, the Prometheus base unit.",
                 MetricType::kGauge, [](const S& s) { return static_cast<double>(s.iterator_age_ms) / 1000.0; });
  AddShardFamily(engine, out, "sluice_write_provisioned_throughput_exceeded_total",
                 "WriteProvisionedThroughputExceeded: records refused for the shard's write throughput.",
                 MetricType::kCounter, [](const S& s) { return s.write_throughput_exceeded; });
  AddShardFamily(engine, out, "sluice_read_provisioned_throughput_exceeded_total",
                 "ReadProvisionedThroughputExceeded: GetRecords calls refused for the shard's read throughput.",
                 MetricType::kCounter, [](const S& s) { return s.read_throughput_exceeded; });
  AddShardFamily(
      engine, out, "sluice_subscribe_to_shard_events_total",
      "SubscribeToShardEvent: events sent to SubscribeToShard subscribers of the shard (heartbeats included).",
      MetricType::kCounter, [](const S& s) { return s.subscribe_events; });
  AddShardFamily(engine, out, "sluice_subscribe_to_shard_records_total",
                 "SubscribeToShardEvent.Records: records sent to SubscribeToShard subscribers of the shard.",
                 MetricType::kCounter, [](const S& s) { return s.subscribe_records; });

  Family& shards = out.Declare("sluice_stream_shards", "Shards of the stream, open or closed.", MetricType::kGauge);
  Family& disk = out.Declare(
      "sluice_stream_bytes_on_disk",
      "Bytes of record batches the stream's shard logs hold (in memory with --durability memory).", MetricType::kGauge);
  for (const engine::StreamMetrics& stream : engine.streams) {
    int64_t open = 0;
    for (const engine::ShardMetrics& s : stream.shards) open += s.open ? 1 : 0;
    Labels labels = StreamLabels(stream);
    labels.emplace_back("state", "open");
    shards.Add(labels, open);
    labels.back().second = "closed";
    shards.Add(labels, static_cast<int64_t>(stream.shards.size()) - open);
    disk.Add(StreamLabels(stream), stream.bytes_on_disk);
  }
  Family& streams = out.Declare("sluice_streams", "Streams by status.", MetricType::kGauge);
  for (engine::StreamStatus status : {engine::StreamStatus::kCreating, engine::StreamStatus::kActive,
                                      engine::StreamStatus::kUpdating, engine::StreamStatus::kDeleting}) {
    int64_t n = 0;
    for (const engine::StreamMetrics& stream : engine.streams) n += stream.status == status ? 1 : 0;
    streams.Add({{"status", engine::StreamStatusName(status)}}, n);
  }

  out.Declare("sluice_active_subscriptions", "SubscribeToShard subscriptions streaming now.", MetricType::kGauge)
      .Add({}, engine.active_subscriptions);
  Family& behind = out.Declare("sluice_subscription_millis_behind_latest",
                               "How far each active SubscribeToShard subscription's last event was behind the tip "
                               "of its shard (MillisBehindLatest), per consumer and shard.",
                               MetricType::kGauge);
  for (const engine::SubscriptionMetrics& sub : engine.subscriptions) {
    behind.Add({{"stream", sub.stream.name},
                {"account", sub.stream.account},
                {"region", sub.stream.region},
                {"consumer", sub.consumer_arn},
                {"shard", sub.shard_id}},
               sub.millis_behind_latest);
  }
  out.Declare("sluice_fsync_duration_seconds", "Time of each fdatasync of a group commit (--durability fsync).",
              MetricType::kHistogram)
      .AddHistogram({}, engine.storage.fsync_latency_us, 1e-6);
  out.Declare("sluice_group_commit_batch_size",
              "Durability requests completed by one group-commit round (--durability fsync).", MetricType::kHistogram)
      .AddHistogram({}, engine.storage.group_commit_batch);
  out.Declare("sluice_recovery_actions_total",
              "Repairs made while opening the data directory at start, by kind (each one is also logged).",
              MetricType::kCounter)
      .Add({{"action", "truncated_tail"}}, engine.storage.truncated_tails)
      .Add({{"action", "rebuilt_index"}}, engine.storage.rebuilt_indexes)
      .Add({{"action", "damaged_batch"}}, engine.storage.damaged_batches)
      .Add({{"action", "offset_gap"}}, engine.storage.offset_gaps)
      .Add({{"action", "missing_shard_dir"}}, engine.storage.missing_shard_dirs);
}

void AddServerMetrics(const server::OpenConnections& c, metrics::Exposition& out) {
  out.Declare("sluice_open_connections", "Open client connections by HTTP version and transport.", MetricType::kGauge)
      .Add({{"version", "1.1"}, {"tls", "false"}}, c.http1)
      .Add({{"version", "2"}, {"tls", "false"}}, c.http2)
      .Add({{"version", "1.1"}, {"tls", "true"}}, c.http1_tls)
      .Add({{"version", "2"}, {"tls", "true"}}, c.http2_tls);
}

}  // namespace sluice::console
