// PeerService: the peer protocol's answering side, a gateway service on the
// node's API port (docs/cluster-protocol.md, "Transport"). It decodes a
// POST to kPeerFetchPath into a FetchRequest, hands it to a FetchHandler
// (the replication logic: which shard, which epoch, what records) and
// encodes the FetchResponse it gets back. It knows no shard or log itself.
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

class PeerService final : public gateway::Service {
 public:
  // `handler` must outlive the service and every reply it owes.
  explicit PeerService(FetchHandler* handler) : handler_(handler) {}

  std::string_view name() const override { return "peer"; }
  gateway::ServiceMatch match() const override;
  std::string_view signing_name() const override { return "sluice"; }
  std::vector<std::string> operations() const override { return {"Fetch"}; }

  void Handle(const gateway::ServiceRequest& request, gateway::ServiceResponder respond) override;
  // {"__type":...,"message":...} with the code's HTTP status (400 for
  // client errors, 500 for internal ones).
  gateway::ServiceResponse Error(const server::HttpRequest& request, const Status& error) const override;

 private:
  FetchHandler* const handler_;
};

}  // namespace sluice::cluster
