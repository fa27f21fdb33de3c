// The delivery engine's families on /metrics, one sample per delivering
// channel, labelled account, region and channel:
//   sluice_channel_delivered_records_total     records written to the bucket
//   sluice_channel_delivered_bytes_total       their data bytes, before compression
//   sluice_channel_delivered_objects_total     objects put
//   sluice_channel_dead_letter_records_total   records put to the dead-letter bucket
//   sluice_channel_delivery_errors_total       failed puts, checkpoint saves and reads
//   sluice_channel_delivery_lag_milliseconds   how far delivery is behind (ChannelStats::lag_ms)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "channels/channel_delivery.h"
#include "metrics/exposition.h"

namespace sluice::channels {

void AddDeliveryMetrics(const std::vector<ChannelStats>& stats, metrics::Exposition& out);

// The console's /console/api/channels: {"destination": "<where objects go>",
// "channels": [{"account","region","name","records","bytes","objects",
// "dead_letters","errors","lag_ms","last_error","last_error_ms"}]}.
std::string DeliveryStatsJson(const std::vector<ChannelStats>& stats, std::string_view destination);

}  // namespace sluice::channels
