// ShardPlacement: which node leads a shard. The engine asks it on the data
// path (PutRecords, GetShardIterator, GetRecords, SubscribeToShard) before
// it touches the shard's log, and answers NotLeader when another node leads
// the shard: only the leader appends, and only it knows the visible end.
//
// Single-node, the answer is always "this node" (LocalPlacement). A cluster
// would answer from its shard leadership (kept, for example, in etcd) and
// the layer above the engine would forward a NotLeader call to the leader
// the error names. The interface lives here, in the engine that asks, so a
// cluster library above the engine can implement it without the engine
// depending on it; the composition root (src/cli) would hand it in through
// EngineOptions::placement.
//
// Threading: Leader() is called from any thread, often, and must be cheap
// and must not block (answer from memory; never a network round trip).
#pragma once

#include <string>

#include "engine/shard_key.h"
#include "util/status.h"

namespace sluice::engine {

struct PlacementAnswer {
  bool this_node = true;       // this node leads the shard
  std::string leader_address;  // otherwise the leader's address ("host:port"); empty while unknown
};

class ShardPlacement {
 public:
  virtual ~ShardPlacement() = default;
  virtual PlacementAnswer Leader(const ShardKey& shard) const = 0;
};

// Every shard is led by this node.
class LocalPlacement final : public ShardPlacement {
 public:
  PlacementAnswer Leader(const ShardKey&) const override { return {}; }
};

// OK when this node leads `shard`; else NotLeader with the message
// "Shard <id> in stream <name> under account <acct> is led by <address>."
// ("... has no leader at the moment." while the leader is unknown).
Status CheckLeader(const ShardPlacement& placement, const ShardKey& shard);

// The leader's address a CheckLeader status names, so the layer above can
// forward the call there; empty for any other status, or while the shard
// has no leader.
std::string LeaderAddressOf(const Status& status);

}  // namespace sluice::engine
