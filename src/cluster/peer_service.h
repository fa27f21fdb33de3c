// PeerService: the peer protocol's answering side, a gateway service on the
// node's API port (docs/cluster-protocol.md, "Transport"). It decodes a
// POST to kPeerFetchPath into a FetchRequest, hands it to a FetchHandler
// (the replication logic: which shard, which epoch, what records) and
// encodes the FetchResponse it gets back; likewise a POST to
// kPeerPutToShardPath through a PutToShardHandler. It knows no shard or log
// itself.
//
// Answers: 200 with a FetchResponse for everything the handler answers, and
// for a request in another protocol version (error kUnsupportedVersion);
// JSON errors in the gateway's shape for the rest: 400 InvalidArgument for a
// body the decoder refuses (the message names what is wrong), 404
// UnknownOperation for another path under kPeerPathPrefix. (Other methods
// than POST never reach a service: the gateway answers them 403.)
//
// Threading: Handle runs on any event loop; the handler's reply may come
// from any thread, later (a long poll).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/peer_messages.h"
#include "gateway/service.h"

namespace sluice::cluster {

// Answers fetches. Implemented by the replication logic; tests substitute
// their own.
class FetchHandler {
 public:
  virtual ~FetchHandler() = default;
  // Answers `request` by calling `reply` exactly once, from any thread, now
  // or later: a long poll (max_wait_ms > 0) keeps `reply` until records
  // arrive or the wait ends, and must not block the calling thread (an event
  // loop) meanwhile. Errors go in the response (FetchResponse::error).
  virtual void Fetch(const FetchRequest& request, std::function<void(FetchResponse)> reply) = 0;
};

// Appends the records of one shard of a PutRecords another node took
// (PutToShard). Implemented over the engine (shard_put_relay.h).
class PutToShardHandler {
 public:
  virtual ~PutToShardHandler() = default;
  // Answers by calling `reply` exactly once, from any thread, now or later
  // (once the records are durable); must not block the calling thread.
  virtual void PutToShard(const PutToShardRequest& request, std::function<void(PutToShardResponse)> reply) = 0;
};

class PeerService final : public gateway::Service {
 public:
  // The handlers must outlive the service and every reply they owe; either
  // may be null (its path then answers 404).
  explicit PeerService(FetchHandler* handler, PutToShardHandler* puts = nullptr) : handler_(handler), puts_(puts) {}

  std::string_view name() const override { return "peer"; }
  gateway::ServiceMatch match() const override;
  std::string_view signing_name() const override { return "sluice"; }
  std::vector<std::string> operations() const override { return {"Fetch", "PutToShard"}; }

  void Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) override;
  // {"__type":...,"message":...} with the code's HTTP status (400 for
  // client errors, 500 for internal ones).
  gateway::ServiceResponse Error(const server::HttpRequest& request, const Status& error) const override;

 private:
  void HandlePutToShard(const gateway::ServiceRequest& request, gateway::ServiceResponder respond);

  FetchHandler* const handler_;
  PutToShardHandler* const puts_;
};

}  // namespace sluice::cluster
