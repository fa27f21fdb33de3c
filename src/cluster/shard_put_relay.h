// The two halves of a PutRecords split across shard leaders
// (engine/remote_shards.h) over the peer protocol's PutToShard
// (docs/cluster-protocol.md):
// - PeerShardWriter, the engine's RemoteShardWriter on the node that took
//   the call: encodes the shard's records at once, sends them to the leader
//   through a gateway::Forwarder (off the event loops), decodes the answer;
// - EngineShardPuts, the PeerService's PutToShardHandler on the leader:
//   appends them with the engine's PutToShard and answers once they are
//   durable.
// Errors cross the wire as PutError and come back as the same Status codes.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <vector>

#include "cluster/peer_messages.h"
#include "cluster/peer_service.h"
#include "engine/engine.h"
#include "engine/remote_shards.h"
#include "gateway/forwarder.h"

namespace sluice::cluster {

// The wire error of a put's Status, and back (the message travels beside it).
PutError PutErrorFor(const Status& status);
Status StatusForPutError(PutError error, std::string message);

class PeerShardWriter final : public engine::RemoteShardWriter {
 public:
  // `forwarder` must outlive the writer and every call it has under way.
  explicit PeerShardWriter(gateway::Forwarder& forwarder) : forwarder_(forwarder) {}

  void Append(const std::string& leader_address, const engine::ShardKey& shard,
              std::span<const engine::PutEntry> entries,
              std::function<void(Result<std::vector<engine::PutEntryResult>>)> done) override;

 private:
  gateway::Forwarder& forwarder_;
};

class EngineShardPuts final : public PutToShardHandler {
 public:
  // `engine` must outlive the handler and every reply it owes.
  explicit EngineShardPuts(engine::Engine& engine) : engine_(engine) {}

  void PutToShard(const PutToShardRequest& request, std::function<void(PutToShardResponse)> reply) override;

 private:
  engine::Engine& engine_;
};

}  // namespace sluice::cluster
