// Node membership in etcd (docs/cluster.md, "Keys"): each node of a cluster
// registers under its id, bound to the lease of its session, so that its key
// is there exactly while the node is alive; a second key records the node as
// a member for good, so that a node that died is listed as not alive rather
// than forgotten.
//
//   /sluice/v1/nodes/<id>     NodeInfo as JSON, bound to the node's lease
//   /sluice/v1/members/<id>   NodeInfo as JSON, no lease (last registration)
//   /sluice/v1/decommissioned/<id>   {"id","since_ms"}, no lease: the node is
//                             to hold no replicas (leadership_plan.h moves them)
//
// Registration is one transaction: create the node key if it is absent (and
// write the member key); so two processes with one id cannot both register.
// A key left by a process that is gone is taken over at once, not refused
// until its lease expires: at the first registration, when its document has
// this node's advertise address (which this process now listens on; not
// for an unspecified host such as 0.0.0.0, the same on every machine); on a
// later one (the session's lease was lost), when it is on the lease this
// process held. The takeover replaces exactly the key read (compare on its
// mod_revision), then revokes the earlier lease, so that process's other
// keys (a controller key) go too.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/etcd_client.h"
#include "cluster/etcd_session.h"
#include "util/status.h"

namespace sluice::cluster {

inline constexpr std::string_view kNodesPrefix = "/sluice/v1/nodes/";
inline constexpr std::string_view kMembersPrefix = "/sluice/v1/members/";
inline constexpr std::string_view kDecommissionedPrefix = "/sluice/v1/decommissioned/";

struct NodeInfo {
  std::string id;
  std::string advertise;   // "host:port" where the node serves the API
  int64_t started_ms = 0;  // epoch milliseconds
  std::string version;     // the node's version line
};

// {"id":...,"advertise":"host:port","started_ms":1796627045678,"version":...}
std::string EncodeNodeInfo(const NodeInfo& node);
// Errors: BadResponse naming what does not parse.
Result<NodeInfo> ParseNodeInfo(std::string_view json);

// 1 to 64 characters of A-Z a-z 0-9 . _ -. Errors: InvalidArgument saying so.
Status ValidateNodeId(std::string_view id);

// The registration of this process as a node, for as long as it lives.
class NodeRegistration {
 public:
  // Registers `node` with a lease of `ttl_s` seconds kept alive on a thread.
  // Errors: ResourceInUse when a live node at another address has this id
  // (the message names its address and version), and those of the etcd
  // calls. `client` must outlive the registration.
  static Result<std::unique_ptr<NodeRegistration>> Register(EtcdClient& client, NodeInfo node, int64_t ttl_s);

  // Removes the node key at once (revokes the lease); the member key stays.
  void Leave() { session_.Stop(); }
  int64_t lease() const { return session_.lease(); }

 private:
  NodeRegistration(EtcdClient& client, NodeInfo node, int64_t ttl_s);
  Status Claim(int64_t lease);
  bool MayTakeOver(int64_t holder_lease, const NodeInfo& holder) const;
  Status Claimed(int64_t lease);

  EtcdClient& client_;
  const NodeInfo node_;
  // The lease of the last successful claim (0 before the first); Claim runs
  // on Register's caller, then on the session's thread, never both at once.
  int64_t claimed_lease_ = 0;
  EtcdSession session_;
};

struct NodeStatus {
  NodeInfo info;
  bool alive = false;  // its node key exists (its lease is being renewed)
  bool decommissioned = false;
};

// `members` (every node that registered) and `live` (those whose node key
// exists), both by id, as one list by id: a live registration's document
// wins over an older member record; the ids in `decommissioned` are marked so.
std::vector<NodeStatus> JoinNodes(const std::map<std::string, NodeInfo>& members,
                                  const std::map<std::string, NodeInfo>& live,
                                  const std::set<std::string>& decommissioned);

// Every member, by id, alive or not (a node key without a member key counts
// too). Errors: those of the etcd calls, BadResponse for a document that
// does not parse.
Result<std::vector<NodeStatus>> ListNodes(EtcdClient& client);

// Marks a member for removal, at `now_ms`: the controller moves its replicas
// to other nodes and gives it no new ones. Marking a marked node again is
// fine. Errors: NotFound when no node ever registered with the id, and
// those of the etcd calls.
Status MarkDecommissioned(EtcdClient& client, const std::string& id, int64_t now_ms);
// Removes the mark (whether or not there is one). Errors: those of the etcd calls.
Status CancelDecommission(EtcdClient& client, const std::string& id);

}  // namespace sluice::cluster
