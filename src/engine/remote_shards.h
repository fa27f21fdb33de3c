// RemoteShardWriter: appends records to a shard that another node leads. In
// cluster mode a PutRecords whose records fall in shards with different
// leaders is split by the engine: the records of shards led here are
// appended here, each other shard's records go to its leader through this
// interface, and the one answer lists every record's outcome in request
// order, as the service answers. The leader appends them with
// RecordPath::PutToShard. The interface lives in the engine that asks; the
// cluster library implements it over the peer protocol (the composition
// root hands it in through EngineOptions::remote_writer).
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "engine/shard_key.h"
#include "engine/types.h"
#include "util/status.h"

namespace sluice::engine {

class RemoteShardWriter {
 public:
  virtual ~RemoteShardWriter() = default;
  // Appends `entries`, all routed to `shard`, on the node at
  // `leader_address`. `done` gets one result per entry in order (per-record
  // failures included: throttling on the leader), or a Status for them all
  // (the leader did not answer, or no longer leads: each record then fails
  // with the retryable InternalFailure). Copies what it needs of `shard` and
  // `entries` before returning; never blocks on the network; `done` runs
  // once, on any thread.
  virtual void Append(const std::string& leader_address, const ShardKey& shard, std::span<const PutEntry> entries,
                      std::function<void(Result<std::vector<PutEntryResult>>)> done) = 0;
};

}  // namespace sluice::engine
