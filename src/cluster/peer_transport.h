// Where and how the peer protocol travels (docs/cluster-protocol.md,
// "Transport"): one HTTP POST per fetch to the node's advertised address,
// on the port it serves the API on. Shared by PeerService (the answering
// side, peer_service.h) and PeerClient (the asking side, peer_client.h).
#pragma once

#include <string_view>

namespace sluice::cluster {

// Every path of the peer protocol begins with this (the gateway routes it).
inline constexpr std::string_view kPeerPathPrefix = "/_sluice/peer/";
inline constexpr std::string_view kPeerFetchPath = "/_sluice/peer/v1/fetch";
inline constexpr std::string_view kPeerPutToShardPath = "/_sluice/peer/v1/put-to-shard";
// The content type of FetchRequest and FetchResponse bodies.
inline constexpr std::string_view kPeerContentType = "application/x-sluice-peer";

}  // namespace sluice::cluster
