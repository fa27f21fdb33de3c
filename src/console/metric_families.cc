#include "console/metric_families.h"

#include <algorithm>
#include <string_view>
#include <vector>

namespace sluice::console {
namespace {

using metrics::Family;
using metrics::Labels;
using metrics::MetricType;
using Snapshot = std::shared_ptr<const engine::EngineMetrics>;

// Samples a streamed family part writes per call.
constexpr size_t kSamplesPerStep = 256;

Labels ShardLabels(const engine::StreamMetrics& stream, const engine::ShardMetrics& shard) {
  return {{"stream", stream.ref.name},
          {"shard", shard.shard_id},
          {"account", stream.ref.account},
          {"region", stream.ref.region}};
}

Labels StreamLabels(const engine::StreamMetrics& stream) {
  return {{"stream", stream.ref.name}, {"account", stream.ref.account}, {"region", stream.ref.region}};
}

bool Reports(const engine::StreamMetrics& stream, std::string_view shard_metric) {
  return std::find(stream.shard_level_metrics.begin(), stream.shard_level_metrics.end(), shard_metric) !=
         stream.shard_level_metrics.end();
}

// A counter or gauge kept per shard: reported per stream (summed; the
// iterator age is the largest) and, with enhanced monitoring of
// `shard_metric`, per shard.
struct CounterFamily {
  std::string_view suffix;  // sluice_<suffix> per shard, sluice_stream_<suffix> per stream
  std::string_view help;    // what it counts, without "per stream" / "per shard"
  MetricType type;
  std::string_view shard_metric;  // the ShardLevelMetrics name that enables the shard series
  std::string (*value)(const engine::ShardMetrics&);
};

std::string Count(uint64_t v) { return std::to_string(v); }

const CounterFamily kCounterFamilies[] = {
    {"incoming_records_total",
     "IncomingRecords: records successfully put (PutRecord, PutRecords), counted once durable.", MetricType::kCounter,
     "IncomingRecords", [](const engine::ShardMetrics& s) { return Count(s.incoming_records); }},
    {"incoming_bytes_total", "IncomingBytes: data bytes of the records successfully put (partition keys not counted).",
     MetricType::kCounter, "IncomingBytes", [](const engine::ShardMetrics& s) { return Count(s.incoming_bytes); }},
    {"get_records_records_total", "GetRecords.Records: records returned by GetRecords.", MetricType::kCounter,
     "OutgoingRecords", [](const engine::ShardMetrics& s) { return Count(s.get_records_records); }},
    {"get_records_bytes_total", "GetRecords.Bytes: data bytes of the records returned by GetRecords.",
     MetricType::kCounter, "OutgoingBytes", [](const engine::ShardMetrics& s) { return Count(s.get_records_bytes); }},
    {"iterator_age_milliseconds",
     "GetRecords.IteratorAgeMilliseconds: MillisBehindLatest of the last GetRecords (0 before any; per stream the "
     "largest of its shards').",
     MetricType::kGauge, "IteratorAgeMilliseconds",
     [](const engine::ShardMetrics& s) { return std::to_string(s.iterator_age_ms); }},
    {"iterator_age_seconds", "The iterator age (iterator_age_milliseconds) in seconds, the Prometheus base unit.",
     MetricType::kGauge, "IteratorAgeMilliseconds",
     [](const engine::ShardMetrics& s) { return metrics::FormatValue(static_cast<double>(s.iterator_age_ms) / 1000); }},
    {"write_provisioned_throughput_exceeded_total",
     "WriteProvisionedThroughputExceeded: records refused for the write throughput.", MetricType::kCounter,
     "WriteProvisionedThroughputExceeded",
     [](const engine::ShardMetrics& s) { return Count(s.write_throughput_exceeded); }},
    {"read_provisioned_throughput_exceeded_total",
     "ReadProvisionedThroughputExceeded: GetRecords calls refused for the read throughput.", MetricType::kCounter,
     "ReadProvisionedThroughputExceeded",
     [](const engine::ShardMetrics& s) { return Count(s.read_throughput_exceeded); }},
    {"subscribe_to_shard_events_total",
     "SubscribeToShardEvent: events sent to SubscribeToShard subscribers (heartbeats included).", MetricType::kCounter,
     "OutgoingRecords", [](const engine::ShardMetrics& s) { return Count(s.subscribe_events); }},
    {"subscribe_to_shard_records_total", "SubscribeToShardEvent.Records: records sent to SubscribeToShard subscribers.",
     MetricType::kCounter, "OutgoingRecords", [](const engine::ShardMetrics& s) { return Count(s.subscribe_records); }},
};

// A part writing a family's header, then `write(out, stream)` for each
// stream, kSamplesPerStep streams per call.
template <typename Write>
metrics::TextStream::Part StreamFamilyPart(Snapshot engine, std::string name, std::string help, MetricType type,
                                           Write write) {
  auto next = std::make_shared<size_t>(0);  // the stream to write next
  return [=](std::string* out) {
    if (*next == 0) metrics::AppendFamilyHeader(out, name, help, type);
    const size_t end = std::min(engine->streams.size(), *next + kSamplesPerStep);
    for (; *next < end; ++*next) write(out, name, engine->streams[*next]);
    return *next == engine->streams.size();
  };
}

// A part writing a family's header, then one sample per shard of each
// stream reporting `shard_metric`, kSamplesPerStep samples per call.
metrics::TextStream::Part ShardFamilyPart(Snapshot engine, const CounterFamily& family) {
  struct Cursor {
    bool started = false;
    size_t stream = 0;
    size_t shard = 0;
  };
  auto at = std::make_shared<Cursor>();
  const std::string name = "sluice_" + std::string(family.suffix);
  const std::string help = std::string(family.help) + " Per shard, for streams with enhanced monitoring of " +
                           std::string(family.shard_metric) + ".";
  return [engine, at, name, help, &family](std::string* out) {
    if (!at->started) {
      metrics::AppendFamilyHeader(out, name, help, family.type);
      at->started = true;
    }
    for (size_t written = 0; at->stream < engine->streams.size() && written < kSamplesPerStep;) {
      const engine::StreamMetrics& stream = engine->streams[at->stream];
      if (at->shard >= stream.shards.size() || !Reports(stream, family.shard_metric)) {
        ++at->stream;
        at->shard = 0;
        continue;
      }
      const engine::ShardMetrics& shard = stream.shards[at->shard++];
      metrics::AppendSample(out, name, "", ShardLabels(stream, shard), nullptr, family.value(shard));
      ++written;
    }
    return at->stream == engine->streams.size();
  };
}

// Streams by status, the subscriptions, the storage: small, rendered at once.
void AddEngineTotals(const engine::EngineMetrics& engine, metrics::Exposition& out) {
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
  out.Declare("sluice_shard_logs_loaded",
              "Shard logs whose state is in memory now; the others are unloaded (not used since the start, or idle "
              "for --shard-idle-unload-seconds) and load again on their next use.",
              MetricType::kGauge)
      .Add({}, engine.storage.loaded_shard_logs);
  out.Declare("sluice_shard_log_unloads_total",
              "Shard logs unloaded after --shard-idle-unload-seconds without use, since the start.",
              MetricType::kCounter)
      .Add({}, engine.storage.shard_log_unloads);
}

}  // namespace

void AddEngineMetrics(Snapshot engine, metrics::TextStream& out) {
  using engine::StreamMetrics;
  for (const CounterFamily& family : kCounterFamilies) {
    out.Add(StreamFamilyPart(engine, "sluice_stream_" + std::string(family.suffix),
                             std::string(family.help) + " Per stream, over its shards.", family.type,
                             [&family](std::string* text, const std::string& name, const StreamMetrics& stream) {
                               metrics::AppendSample(text, name, "", StreamLabels(stream), nullptr,
                                                     family.value(stream.totals));
                             }));
  }
  out.Add(StreamFamilyPart(
      engine, "sluice_stream_get_records_latency_seconds",
      "GetRecords.Latency: time the engine took to answer a GetRecords, per stream over its shards.",
      MetricType::kHistogram, [](std::string* text, const std::string& name, const StreamMetrics& stream) {
        metrics::AppendHistogram(text, name, StreamLabels(stream), stream.totals.get_records_latency_us, 1e-6);
      }));
  for (const CounterFamily& family : kCounterFamilies) out.Add(ShardFamilyPart(engine, family));
  out.Add(StreamFamilyPart(engine, "sluice_stream_shards", "Shards of the stream, open or closed.", MetricType::kGauge,
                           [](std::string* text, const std::string& name, const StreamMetrics& stream) {
                             Labels labels = StreamLabels(stream);
                             labels.emplace_back("state", "open");
                             metrics::AppendSample(text, name, "", labels, nullptr, std::to_string(stream.open_shards));
                             labels.back().second = "closed";
                             metrics::AppendSample(text, name, "", labels, nullptr,
                                                   std::to_string(stream.closed_shards));
                           }));
  out.Add(StreamFamilyPart(
      engine, "sluice_stream_bytes_on_disk",
      "Bytes of record batches the stream's shard logs hold (in memory with --durability memory).", MetricType::kGauge,
      [](std::string* text, const std::string& name, const StreamMetrics& stream) {
        metrics::AppendSample(text, name, "", StreamLabels(stream), nullptr, std::to_string(stream.bytes_on_disk));
      }));
  metrics::Exposition totals;
  AddEngineTotals(*engine, totals);
  out.AddText(totals.Render());
}

void AddServerMetrics(const server::OpenConnections& c, metrics::Exposition& out) {
  out.Declare("sluice_open_connections", "Open client connections by HTTP version and transport.", MetricType::kGauge)
      .Add({{"version", "1.1"}, {"tls", "false"}}, c.http1)
      .Add({{"version", "2"}, {"tls", "false"}}, c.http2)
      .Add({{"version", "1.1"}, {"tls", "true"}}, c.http1_tls)
      .Add({{"version", "2"}, {"tls", "true"}}, c.http2_tls);
}

}  // namespace sluice::console
