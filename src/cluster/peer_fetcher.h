// PeerFetcher: how a follower's replica asks its leader for records (the
// peer protocol's Fetch, peer_messages.h). The HTTP implementation sends it
// to the leader's advertised address; tests hand the request straight to the
// leader's ReplicaLog::HandleFetch.
#pragma once

#include <string>

#include "cluster/peer_messages.h"
#include "util/status.h"

namespace sluice::cluster {

class PeerFetcher {
 public:
  virtual ~PeerFetcher() = default;
  // One request, one answer. A protocol-level refusal (not leader, stale
  // epoch, ...) is an OK Result whose FetchResponse::error says so; a failed
  // exchange is an error Status (ConnectionFailed, TimedOut, BadResponse).
  // Thread-safe; may block for the request's max_wait_ms and the network.
  virtual Result<FetchResponse> Fetch(const std::string& leader_address, const FetchRequest& request) = 0;
};

}  // namespace sluice::cluster
