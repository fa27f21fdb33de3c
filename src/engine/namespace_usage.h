// NamespaceUsage: what the streams of each (account, region) namespace count
// against its quotas (open shards, ON_DEMAND streams), kept as running totals
// so that DescribeLimits and the quota checks of CreateStream and resharding
// cost O(1) in the number of streams and shards.
//
// The stream control plane sets a stream's usage whenever its live metadata
// changes what it counts (created or loaded, resharded, a reshard pending or
// dropped, its mode changed) and erases it when the stream is gone.
//
// Threading: thread-safe (one mutex, held only to update or read a total).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "engine/stream_meta.h"
#include "engine/stream_table.h"

namespace sluice::engine {

struct StreamUsage {
  int open_shards = 0;  // a reshard waiting in UPDATING counts as done
  bool on_demand = false;
};

// What `stream` counts: its open shards (the larger of before and after a
// pending reshard, so two pending scale-ups cannot both pass the quota), and
// whether it is ON_DEMAND. O(shards of the stream).
StreamUsage UsageOf(const StreamMeta& stream);

class NamespaceUsage {
 public:
  struct Totals {
    int open_shards = 0;
    int on_demand_streams = 0;
  };

  // Makes `usage` what the stream `key` counts (replacing what it counted).
  void Set(const StreamKey& key, StreamUsage usage);
  // The stream `key` is gone: it counts nothing any more.
  void Erase(const StreamKey& key);
  // The sums over the namespace's streams.
  Totals Of(const std::string& account, const std::string& region) const;

 private:
  void AddLocked(const StreamKey& key, const StreamUsage& usage, int sign);

  mutable std::mutex mu_;
  std::map<StreamKey, StreamUsage> streams_;                          // guarded by mu_
  std::map<std::pair<std::string, std::string>, Totals> namespaces_;  // guarded by mu_
};

}  // namespace sluice::engine
