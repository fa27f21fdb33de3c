// Forwarder: sends a call on to another node and hands back its answer. In
// cluster mode a node answers a data-plane call for a shard another node
// leads by forwarding the client's request there unchanged (its signature
// still verifies: the method, path, headers and body are the ones the client
// signed) and relaying the answer. The interface lives here so services can
// forward without knowing how; the cluster library implements it over the
// HTTP client.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "util/status.h"

namespace sluice::gateway {

// The header a forwarded request carries (the forwarding node's id): a node
// never forwards a request that has it, so a stale view costs one retry by
// the client, never a loop between nodes.
inline constexpr char kForwardedHeader[] = "x-sluice-forwarded-by";

struct ForwardedRequest {
  std::string method = "POST";
  std::string target = "/";  // path and query
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Who the call acts as (the client's account and region, as this node
  // resolved them; empty: the defaults): a forwarder that signs its calls
  // as a peer's names them in the signature (cluster/peer_signing.h).
  std::string account;
  std::string region;
};

struct ForwardedResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

// Thread-safe. `done` runs exactly once: on a thread of the forwarder's
// once the other node answers (an event loop must not wait on another
// node), or inline when the call is refused without being sent.
class Forwarder {
 public:
  virtual ~Forwarder() = default;
  // Sends `request` to `address` ("host:port"). Errors (the node did not
  // answer in time, refused the connection): ConnectionFailed, TimedOut,
  // ServiceUnavailable when too many calls are already waiting.
  virtual void Forward(const std::string& address, ForwardedRequest request,
                       std::function<void(Result<ForwardedResponse>)> done) = 0;
};

}  // namespace sluice::gateway
