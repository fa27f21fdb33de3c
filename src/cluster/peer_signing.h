// Peer calls signed with the cluster's key (auth/peer_signature.h), so that
// under `--auth` the receiving node admits them without a client's SigV4:
// the replicas' fetches (PeerClient), and everything the RequestForwarder
// sends (a forwarded call, a PutToShard, a relayed subscription's calls),
// each acting as the account of the client it is for.
#pragma once

#include <string_view>

#include "auth/peer_signature.h"
#include "http/message.h"

namespace sluice::cluster {

// Signs `request` as a call acting as `account` in `region` (empty: the
// receiver's defaults), at the system clock's now: drops any x-sluice-peer-*
// headers it has (a client's, copied along with its call) and adds the
// signer's.
void SignPeerRequest(const auth::PeerSigner& signer, std::string_view account, std::string_view region,
                     http::Request& request);

}  // namespace sluice::cluster
