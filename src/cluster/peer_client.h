// PeerClient: the peer protocol's asking side. Sends a FetchRequest to
// another node ("host:port", its advertised address) over http::HttpClient
// and returns its FetchResponse (docs/cluster-protocol.md, "Transport").
//
// Connections are pooled per node (keep-alive, HTTP/1.1), so a follower's
// fetch loop reuses one connection per leader.
//
// Threading: Fetch may be called from any number of threads at once; each
// call blocks its thread until the answer or the deadline.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "auth/peer_signature.h"
#include "cluster/peer_fetcher.h"
#include "cluster/peer_messages.h"
#include "http/http_client.h"
#include "util/status.h"

namespace sluice::cluster {

struct PeerClientOptions {
  // How long a fetch may take beyond its own long poll (max_wait_ms):
  // connecting, sending, and the wait for answer bytes each get this much
  // more than the long poll.
  int64_t timeout_ms = 5000;
  // With a signer (cluster mode under --auth), fetches are signed as a
  // peer's, acting as no account (the leader's gateway admits them).
  std::shared_ptr<const auth::PeerSigner> signer;
};

class PeerClient final : public PeerFetcher {
 public:
  explicit PeerClient(PeerClientOptions options = {}) : options_(std::move(options)) {}

  // Sends `request` to the node at `address` ("host:port") and returns its
  // answer. A FetchError (NotLeader, StaleEpoch, ...) is an answer, in the
  // response, not an error here. Errors: InvalidArgument (a bad address),
  // ConnectionFailed, TimedOut (no answer within max_wait_ms + timeout_ms),
  // BadResponse (an HTTP error answer, with its status and message, or a
  // body that is not a FetchResponse).
  Result<FetchResponse> Fetch(const std::string& address, const FetchRequest& request) override;

 private:
  // The pooled client for `address` whose waits last `timeout_ms`.
  Result<std::shared_ptr<http::HttpClient>> ClientFor(std::string_view address, int64_t timeout_ms);

  const PeerClientOptions options_;
  std::mutex mu_;
  std::map<std::pair<std::string, int64_t>, std::shared_ptr<http::HttpClient>> clients_;  // guarded by mu_
};

}  // namespace sluice::cluster
