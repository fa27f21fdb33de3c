// A client's call forwarded to another node and that node's answer relayed
// (docs/cluster.md, "Forwarding"): the request copied as the client sent it,
// so its signature verifies there, and the answer as this node's.
#pragma once

#include <string>

#include "gateway/forwarder.h"
#include "gateway/service.h"
#include "server/http_types.h"

namespace sluice::gateway {

// The client's request as it came, for another node: method, target, body
// and every header but the connection's own framing (connection,
// content-length, transfer-encoding, keep-alive, expect, te, upgrade), plus
// kForwardedHeader naming `node_id`.
ForwardedRequest CopyForForwarding(const ServiceRequest& request, const std::string& node_id);

// The other node's answer as this node's: its status and body, its content
// type and error type kept; the gateway adds its own request id.
ServiceResponse Relayed(ForwardedResponse answer);

}  // namespace sluice::gateway
