#include "channels/delivery_metrics.h"

#include "protocol/json_writer.h"

namespace sluice::channels {

void AddDeliveryMetrics(const std::vector<ChannelStats>& stats, metrics::Exposition& out) {
  using metrics::MetricType;
  auto& records = out.Declare("sluice_channel_delivered_records_total", "Records a channel wrote to its S3 bucket.",
                              MetricType::kCounter);
  auto& bytes = out.Declare("sluice_channel_delivered_bytes_total",
                            "Data bytes of the records a channel delivered, before compression.", MetricType::kCounter);
  auto& objects = out.Declare("sluice_channel_delivered_objects_total", "Objects a channel put to its bucket.",
                              MetricType::kCounter);
  auto& dead = out.Declare("sluice_channel_dead_letter_records_total",
                           "Records a channel could not write in its format, put to the dead-letter bucket.",
                           MetricType::kCounter);
  auto& errors = out.Declare("sluice_channel_delivery_errors_total",
                             "Failed puts, checkpoint saves and reads of a channel's delivery.", MetricType::kCounter);
  auto& lag =
      out.Declare("sluice_channel_delivery_lag_milliseconds",
                  "How far a channel's delivery is behind the newest record of its streams.", MetricType::kGauge);
  for (const ChannelStats& s : stats) {
    const metrics::Labels labels{{"account", s.account}, {"region", s.region}, {"channel", s.name}};
    records.Add(labels, s.records_delivered);
    bytes.Add(labels, s.bytes_delivered);
    objects.Add(labels, s.objects_delivered);
    dead.Add(labels, s.records_dead_lettered);
    errors.Add(labels, s.errors);
    lag.Add(labels, s.lag_ms);
  }
}

std::string DeliveryStatsJson(const std::vector<ChannelStats>& stats, std::string_view destination) {
  std::string json;
  protocol::JsonWriter w(&json);
  w.BeginObject();
  w.Member("destination", destination);
  w.Key("channels");
  w.BeginArray();
  for (const ChannelStats& s : stats) {
    w.BeginObject();
    w.Member("account", s.account);
    w.Member("region", s.region);
    w.Member("name", s.name);
    w.Key("records");
    w.Int(static_cast<int64_t>(s.records_delivered));
    w.Key("bytes");
    w.Int(static_cast<int64_t>(s.bytes_delivered));
    w.Key("objects");
    w.Int(static_cast<int64_t>(s.objects_delivered));
    w.Key("dead_letters");
    w.Int(static_cast<int64_t>(s.records_dead_lettered));
    w.Key("errors");
    w.Int(static_cast<int64_t>(s.errors));
    w.Key("lag_ms");
    w.Int(s.lag_ms);
    w.Member("last_error", s.last_error);
    w.Key("last_error_ms");
    w.Int(s.last_error_ms);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return json;
}

}  // namespace sluice::channels
