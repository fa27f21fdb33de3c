#include "cluster/node_registry.h"

#include <simdjson.h>

#include <map>
#include <optional>

#include "protocol/json_writer.h"
#include "util/log.h"

namespace sluice::cluster {
namespace {

std::string NodeKey(std::string_view id) { return std::string(kNodesPrefix) + std::string(id); }
std::string MemberKey(std::string_view id) { return std::string(kMembersPrefix) + std::string(id); }
std::string DecommissionedKey(std::string_view id) { return std::string(kDecommissionedPrefix) + std::string(id); }

}  // namespace

std::string EncodeNodeInfo(const NodeInfo& node) {
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Member("id", node.id);
  w.Member("advertise", node.advertise);
  w.MemberInt("started_ms", node.started_ms);
  w.Member("version", node.version);
  w.EndObject();
  return out;
}

Result<NodeInfo> ParseNodeInfo(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json.data(), json.size(), true).get(obj) != simdjson::SUCCESS) {
    return Status::BadResponse("a node document that is not a JSON object: " + std::string(json.substr(0, 200)));
  }
  NodeInfo node;
  std::string_view s;
  if (obj["id"].get_string().get(s) != simdjson::SUCCESS || s.empty()) {
    return Status::BadResponse("a node document without an id: " + std::string(json.substr(0, 200)));
  }
  node.id = std::string(s);
  if (obj["advertise"].get_string().get(s) == simdjson::SUCCESS) node.advertise = std::string(s);
  if (obj["version"].get_string().get(s) == simdjson::SUCCESS) node.version = std::string(s);
  int64_t started = 0;
  if (obj["started_ms"].get_int64().get(started) == simdjson::SUCCESS) node.started_ms = started;
  return node;
}

Status ValidateNodeId(std::string_view id) {
  const bool ok = !id.empty() && id.size() <= 64 &&
                  id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
                      std::string_view::npos;
  if (ok) return Status::Ok();
  return Status::InvalidArgument("node id '" + std::string(id) +
                                 "' must be 1 to 64 characters of letters, digits, '.', '_' and '-'");
}

NodeRegistration::NodeRegistration(EtcdClient& client, NodeInfo node, int64_t ttl_s)
    : client_(client),
      node_(std::move(node)),
      session_(client, ttl_s, [this](int64_t lease) { return Claim(lease); }) {}

Result<std::unique_ptr<NodeRegistration>> NodeRegistration::Register(EtcdClient& client, NodeInfo node, int64_t ttl_s) {
  SLUICE_RETURN_IF_ERROR(ValidateNodeId(node.id));
  std::unique_ptr<NodeRegistration> r(new NodeRegistration(client, std::move(node), ttl_s));
  SLUICE_RETURN_IF_ERROR(r->session_.Start());
  return r;
}

bool NodeRegistration::MayTakeOver(int64_t holder_lease, const NodeInfo& holder) const {
  // This process's own earlier lease (lost while etcd was away, and kept by
  // etcd all the same); or, at the first registration, a process that had
  // this address: this one listens on it now, so that one is gone. An
  // unspecified host (0.0.0.0, ::) names no one machine, so proves nothing.
  if (holder_lease == claimed_lease_) return true;
  const std::string_view host = std::string_view(node_.advertise).substr(0, node_.advertise.rfind(':'));
  const bool unspecified = host.empty() || host == "0.0.0.0" || host == "[::]" || host == "::";
  return claimed_lease_ == 0 && !unspecified && holder.advertise == node_.advertise;
}

Status NodeRegistration::Claimed(int64_t lease) {
  claimed_lease_ = lease;
  return Status::Ok();
}

Status NodeRegistration::Claim(int64_t lease) {
  const std::string key = NodeKey(node_.id);
  const std::string doc = EncodeNodeInfo(node_);
  const std::vector<TxnOp> puts = {TxnOp::Put(key, doc, lease), TxnOp::Put(MemberKey(node_.id), doc)};
  SLUICE_ASSIGN_OR_RETURN(TxnResult txn, client_.Txn({Compare::Absent(key)}, puts, {TxnOp::Get(key)}));
  // A retried transaction whose first answer was lost finds its own key.
  if (txn.succeeded || (!txn.kvs.empty() && txn.kvs.front().lease == lease)) return Claimed(lease);
  std::optional<NodeInfo> holder;
  if (!txn.kvs.empty()) {
    if (Result<NodeInfo> other = ParseNodeInfo(txn.kvs.front().value); other.ok()) holder = std::move(other).value();
  }
  if (holder && MayTakeOver(txn.kvs.front().lease, *holder)) {
    // Only the registration read above is replaced: a change since fails the compare.
    const KeyValue& stale = txn.kvs.front();
    SLUICE_ASSIGN_OR_RETURN(TxnResult taken,
                            client_.Txn({Compare::ModRevision(key, stale.mod_revision)}, puts, {TxnOp::Get(key)}));
    if (taken.succeeded || (!taken.kvs.empty() && taken.kvs.front().lease == lease)) {
      log::Info("cluster: node id '{}' took over its earlier registration at {} (lease {}, revoked)", node_.id,
                node_.advertise, stale.lease);
      // The earlier process's other keys (its controller key) go with it.
      if (Status revoked = client_.RevokeLease(stale.lease); !revoked.ok()) {
        log::Warn("cluster: cannot revoke the earlier registration's lease {} (it expires on its own): {}", stale.lease,
                  revoked.ToString());
      }
      return Claimed(lease);
    }
  }
  const std::string by = holder ? "the node at " + holder->advertise + " (" + holder->version + ")" : "another process";
  return Status::InUse("node id '" + node_.id + "' is already registered in the cluster by " + by +
                       "; give this node another --node-id, or stop that one (its registration ends at once "
                       "on a clean stop, and within its --cluster-session-ttl after a crash)");
}

std::vector<NodeStatus> JoinNodes(const std::map<std::string, NodeInfo>& members,
                                  const std::map<std::string, NodeInfo>& live,
                                  const std::set<std::string>& decommissioned) {
  std::map<std::string, NodeStatus> by_id;
  for (const auto& [id, info] : members) by_id[id].info = info;
  for (const auto& [id, info] : live) {
    NodeStatus& status = by_id[id];
    status.info = info;  // the live registration wins over an older member record
    status.alive = true;
  }
  for (const std::string& id : decommissioned) {
    auto it = by_id.find(id);
    if (it != by_id.end()) it->second.decommissioned = true;
  }
  std::vector<NodeStatus> out;
  for (auto& [id, status] : by_id) out.push_back(std::move(status));
  return out;
}

Result<std::vector<NodeStatus>> ListNodes(EtcdClient& client) {
  SLUICE_ASSIGN_OR_RETURN(RangeResult members, client.GetPrefix(kMembersPrefix));
  SLUICE_ASSIGN_OR_RETURN(RangeResult alive, client.GetPrefix(kNodesPrefix));
  std::map<std::string, NodeInfo> member_infos;
  std::map<std::string, NodeInfo> live_infos;
  for (const KeyValue& kv : members.kvs) {
    SLUICE_ASSIGN_OR_RETURN(NodeInfo info, ParseNodeInfo(kv.value));
    member_infos[info.id] = std::move(info);
  }
  for (const KeyValue& kv : alive.kvs) {
    SLUICE_ASSIGN_OR_RETURN(NodeInfo info, ParseNodeInfo(kv.value));
    live_infos[info.id] = std::move(info);
  }
  SLUICE_ASSIGN_OR_RETURN(RangeResult marked, client.GetPrefix(kDecommissionedPrefix));
  std::set<std::string> decommissioned;
  for (const KeyValue& kv : marked.kvs) decommissioned.insert(kv.key.substr(kDecommissionedPrefix.size()));
  return JoinNodes(member_infos, live_infos, decommissioned);
}

Status MarkDecommissioned(EtcdClient& client, const std::string& id, int64_t now_ms) {
  std::string doc;
  protocol::JsonWriter w(&doc);
  w.BeginObject();
  w.Member("id", id);
  w.MemberInt("since_ms", now_ms);
  w.EndObject();
  // Only a member: a mark for an id that never registered would wait forever.
  SLUICE_ASSIGN_OR_RETURN(TxnResult txn, client.Txn({Compare::Absent(MemberKey(id)), Compare::Absent(NodeKey(id))}, {},
                                                    {TxnOp::Put(DecommissionedKey(id), doc)}));
  if (txn.succeeded) return Status::NotFound("no node with id '" + id + "' ever registered in the cluster");
  return Status::Ok();
}

Status CancelDecommission(EtcdClient& client, const std::string& id) {
  return client.Delete(DecommissionedKey(id)).status();
}

}  // namespace sluice::cluster
