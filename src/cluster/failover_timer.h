// How long shards go without a live leader (docs/cluster.md, "Metrics and
// status"): the controller shows it every view it reads (Observe) and tells
// it of every leader it writes (LeaderWritten); a shard first seen assigned
// and without a live leader (none, or its leader's node key gone) starts a
// clock, and a live leader written for it stops the clock and records the
// time between as one failover.
//
// The clock starts when this node's view lost the leader, so a failover
// excludes the session TTL it took etcd to expire the dead node's key, and
// a controller elected during the failover counts from when its own view
// saw it (every node observes, elected or not).
//
// Threading: Observe and LeaderWritten from one thread (the controller's);
// durations() from any.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cluster/shard_leadership.h"
#include "util/atomic_histogram.h"

namespace sluice::cluster {

class FailoverTimer {
 public:
  FailoverTimer();

  // `shards` and `live_nodes` as the view holds them at `now_ms` (a steady
  // clock's milliseconds). Shards that have a live leader again, or are gone,
  // are forgotten without a sample (another controller wrote their leader).
  void Observe(const std::vector<ShardRecord>& shards, const std::set<std::string>& live_nodes, int64_t now_ms);
  // A live leader was written for `shard` at `now_ms`: one sample, when its
  // clock ran.
  void LeaderWritten(const ShardId& shard, int64_t now_ms);

  // Failover durations in milliseconds (bounds 50 ms to 60 s).
  HistogramSnapshot durations() const { return durations_.Read(); }

 private:
  std::map<ShardId, int64_t> leaderless_since_;
  AtomicHistogram durations_;
};

}  // namespace sluice::cluster
