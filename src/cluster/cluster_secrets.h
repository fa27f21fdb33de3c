// Secrets every node of a cluster shares, kept in etcd: the key that signs
// shard iterators, so that an iterator one node issued is valid on every
// node (a single-node server keeps it in <data-dir>/iterator.key), and the
// key peer calls are signed with (auth/peer_signature.h), so that under
// --auth a node admits another's calls without a client's signature.
//
//   /sluice/v1/cluster/iterator-key   32 random bytes
//   /sluice/v1/cluster/peer-key       32 random bytes
//
// The first node to start creates each (create-if-absent); every other
// node, and every restart, reads the one that won.
#pragma once

#include <string>
#include <string_view>

#include "cluster/etcd_client.h"
#include "util/status.h"

namespace sluice::cluster {

inline constexpr std::string_view kIteratorKeyKey = "/sluice/v1/cluster/iterator-key";
inline constexpr std::string_view kPeerKeyKey = "/sluice/v1/cluster/peer-key";
inline constexpr size_t kClusterIteratorKeySize = 32;
inline constexpr size_t kClusterPeerKeySize = 32;

// The cluster's iterator key, created when there is none. Errors: the etcd
// client's; BadResponse when the stored key is not 32 bytes.
Result<std::string> LoadOrCreateIteratorKey(EtcdClient& etcd);
// The cluster's peer key, likewise.
Result<std::string> LoadOrCreatePeerKey(EtcdClient& etcd);

}  // namespace sluice::cluster
