// Peer signatures: how one node of a cluster vouches for a call it sends
// another (a replica's fetch, a put relayed to a shard's leader, a
// forwarded or relayed Kinesis call), so that under `--auth` the receiving
// node admits it without the client's SigV4, as the account the sending
// node verified. Bytes in docs/cluster-protocol.md, "Peer signatures".
//
// The key is the cluster's, 32 random bytes every node reads from etcd
// (cluster/cluster_secrets.h). A signed request carries five headers:
//
//   x-sluice-peer-node       the sending node's id
//   x-sluice-peer-time       milliseconds since the epoch, decimal
//   x-sluice-peer-account    the account the call acts as (absent: the
//   x-sluice-peer-region     region; absent: the receiver's defaults)
//   x-sluice-peer-signature  lower-case hex HMAC-SHA256(key, string to sign)
//
//   string to sign = "SLUICE-PEER-HMAC-SHA256\n" method "\n" target "\n"
//                    operation "\n" time "\n" node "\n" account "\n"
//                    region "\n" hex(SHA256(body))
//
// `target` is the request target as sent (path and query); `operation` the
// request's X-Amz-Target header as sent (empty when it has none), which
// names the operation a JSON call runs. A signature binds every one of
// these, so a changed body, path, operation, account or time, or another
// key, fails. A time more than kMaxPeerClockSkewMs either side of
// the receiver's clock fails too, which bounds how long a captured request
// can be replayed; the channel itself is not encrypted.
//
// Pure functions but for OpenSSL's SHA-256 and HMAC; no clock (the caller
// passes the time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/sigv4.h"
#include "util/status.h"

namespace sluice::auth {

inline constexpr char kPeerAlgorithm[] = "SLUICE-PEER-HMAC-SHA256";
inline constexpr char kPeerNodeHeader[] = "x-sluice-peer-node";
inline constexpr char kPeerTimeHeader[] = "x-sluice-peer-time";
inline constexpr char kPeerAccountHeader[] = "x-sluice-peer-account";
inline constexpr char kPeerRegionHeader[] = "x-sluice-peer-region";
inline constexpr char kPeerSignatureHeader[] = "x-sluice-peer-signature";
// A signature's time may be this far (ms) either side of the receiver's clock.
inline constexpr int64_t kMaxPeerClockSkewMs = 5 * 60 * 1000;

// What a peer signature vouches for.
struct PeerCall {
  std::string node;     // the sending node's id
  std::string account;  // empty: the receiver's default account
  std::string region;   // empty: the receiver's default region
  int64_t time_ms = 0;

  bool operator==(const PeerCall&) const = default;
};

// The string the signature is the HMAC of (above).
std::string PeerStringToSign(std::string_view method, std::string_view target, std::string_view operation,
                             const PeerCall& call, std::string_view body);

// Signs calls as one node, with the cluster's key. Immutable; any thread.
class PeerSigner {
 public:
  PeerSigner(std::string key, std::string node_id) : key_(std::move(key)), node_id_(std::move(node_id)) {}

  // The five headers (names as above) of a call acting as `account` in
  // `region` (either may be empty), sent at `now_ms`; `operation` is the
  // call's X-Amz-Target header (empty when it has none). Empty values are
  // left out (account and region).
  std::vector<std::pair<std::string, std::string>> Headers(std::string_view method, std::string_view target,
                                                           std::string_view operation, std::string_view account,
                                                           std::string_view region, std::string_view body,
                                                           int64_t now_ms) const;

 private:
  const std::string key_;
  const std::string node_id_;
};

// Checks the peer signature of a request received at `now_ms`, with the
// cluster's key. Errors (each a reason to fall back to SigV4, never an
// answer by itself): NotFound when the request carries no
// x-sluice-peer-signature; InvalidSignature when a header is missing or
// malformed, the time is outside the skew, or the signature does not match.
// Immutable; any thread.
class PeerVerifier {
 public:
  explicit PeerVerifier(std::string key) : key_(std::move(key)) {}

  Result<PeerCall> Verify(const RequestView& request, int64_t now_ms) const;

 private:
  const std::string key_;
};

}  // namespace sluice::auth
