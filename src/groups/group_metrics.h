// What an operator sees of consumer groups, read from the Coordinator: their
// families on GET /metrics and the JSON of the console's groups page.
//
// /metrics is bounded like the engine's families (console/metric_families.h):
// every group reports its group-level series, labelled account, region,
// stream and group,
//   sluice_group_members               members in the group now
//   sluice_group_generation            the group's generation (what checkpoints name)
//   sluice_group_rebalances_total      times its assignment changed since the server started
// and only the groups of a stream with enhanced monitoring of
// IteratorAgeMilliseconds (the Kinesis metric of how far readers are behind)
// report their lag per shard, labelled also shard,
//   sluice_group_records_behind        records after the group's checkpoint of the shard
//   sluice_group_millis_behind_latest  how long ago the newest of them arrived
// so a scrape grows with groups, not with their shards. The generation
// lives in memory and starts again at 0 with the server: it is the number
// of rebalances since the start, which the counter reports as such.
//
// Both read every stream's groups through Coordinator::List and, where they
// need members, checkpoints or lag, Coordinator::Describe (which rebalances
// first, as a DescribeGroup call would), both for the groups the coordinator
// holds: in a cluster, those this node coordinates (no etcd call, no group
// taken over by a scrape).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/engine_metrics.h"
#include "groups/coordinator.h"
#include "metrics/exposition.h"

namespace sluice::groups {

// The console shows at most this many groups of a stream ("more_groups" says
// there are others).
inline constexpr size_t kConsoleGroupsPerStream = 100;

// Adds the families above for the groups of `streams` (Engine::Metrics'
// streams: their shard_level_metrics say which report lag per shard).
void AddGroupMetrics(Coordinator& coordinator, const std::vector<engine::StreamMetrics>& streams,
                     metrics::Exposition& out);

// The console's /console/api/groups: the streams of `streams` that have
// groups, each with its first kConsoleGroupsPerStream groups described:
// {"streams": [{"account","region","name","more_groups","groups": [{"name",
// "generation","state","initial_position","members": [{"member_id",
// "assignment": [shard ids],"session_timeout_ms","last_heartbeat_ms",
// "pushed"}],"shards": [{"shard_id","owner" (null: none),"sequence_number"
// (null: no checkpoint),"shard_end","records_behind",
// "millis_behind_latest"}]}]}]}
std::string GroupsJson(Coordinator& coordinator, const std::vector<engine::StreamMetrics>& streams);

}  // namespace sluice::groups
