#include "cli/cluster_commands.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "cli/output.h"
#include "cluster/cluster_status.h"
#include "cluster/etcd_client.h"
#include "cluster/node_registry.h"
#include "cluster/shard_leadership.h"
#include "protocol/json_writer.h"
#include "util/clock.h"

namespace sluice::cli {
namespace {

struct StatusFlags {
  std::string cluster;
  bool json = false;
  std::string stream;  // only this stream's shards, when set
};

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out.empty() ? "-" : out;
}

// The client of --cluster's etcd; null after saying why there is none (bad usage).
std::unique_ptr<cluster::EtcdClient> ConnectOrSay(std::string_view command, const std::string& cluster_url) {
  if (cluster_url.empty()) {
    std::cerr << "sluice cluster " << command << ": give --cluster etcd://HOST:PORT (or SLUICE_CLUSTER)\n";
    return nullptr;
  }
  Result<std::vector<std::string>> endpoints = cluster::ParseClusterUrl(cluster_url);
  if (!endpoints.ok()) {
    std::cerr << "sluice cluster " << command << ": " << endpoints.status().message() << "\n";
    return nullptr;
  }
  cluster::EtcdOptions options;
  options.endpoints = std::move(endpoints).value();
  Result<std::unique_ptr<cluster::EtcdClient>> etcd = cluster::EtcdClient::Create(std::move(options));
  if (!etcd.ok()) {
    std::cerr << "sluice cluster " << command << ": " << etcd.status().message() << "\n";
    return nullptr;
  }
  return std::move(etcd).value();
}

// Says what failed; the exit code: 3 when etcd did not answer, else 1.
int SayEtcdError(std::string_view command, const Status& status) {
  std::cerr << "sluice cluster " << command << ": " << status.ToString() << "\n";
  return status.code() == ErrorCode::kTimedOut ? kExitUnreachable : kExitServerError;
}

int RunStatus(const StatusFlags& flags) {
  std::unique_ptr<cluster::EtcdClient> etcd = ConnectOrSay("status", flags.cluster);
  if (!etcd) return kExitUsage;
  Result<std::vector<cluster::NodeStatus>> nodes = cluster::ListNodes(*etcd);
  if (!nodes.ok()) return SayEtcdError("status", nodes.status());
  Result<std::vector<cluster::ShardRecord>> shards = cluster::ListShardRecords(*etcd);
  if (!shards.ok()) return SayEtcdError("status", shards.status());
  cluster::ClusterStatus status = cluster::MakeClusterStatus(std::move(nodes).value(), std::move(shards).value());
  if (!flags.stream.empty()) cluster::KeepStream(status, flags.stream);
  if (flags.json) {
    std::cout << cluster::ClusterStatusJson(status) << "\n";
    return kExitOk;
  }
  const std::set<std::string> live = cluster::LiveNodeIds(status);
  std::cout << cluster::SummaryLine(cluster::Summarize(status)) << "\n\n";
  std::vector<std::vector<std::string>> rows;
  for (const cluster::NodeStatus& n : status.nodes) {
    rows.push_back({n.info.id, n.info.advertise,
                    std::string(n.alive ? "alive" : "down") + (n.decommissioned ? ", decommissioned" : ""),
                    FormatTime(n.info.started_ms), n.info.version});
  }
  std::cout << FormatTable({"NODE", "ADDRESS", "HEALTH", "STARTED", "VERSION"}, rows);
  if (status.shards.empty()) return kExitOk;
  rows.clear();
  for (const cluster::ShardRecord& r : status.shards) {
    const cluster::ShardLeadership& l = r.leadership;
    rows.push_back({r.id.stream, cluster::ShardName(r.id.shard_index),
                    std::string(cluster::ShardStateName(cluster::StateOf(l, live))), l.leader.empty() ? "-" : l.leader,
                    std::to_string(l.leader_epoch), JoinNames(l.replicas), JoinNames(l.isr)});
  }
  std::cout << "\n" << FormatTable({"STREAM", "SHARD", "STATE", "LEADER", "EPOCH", "REPLICAS", "ISR"}, rows);
  return kExitOk;
}

struct DecommissionFlags {
  std::string cluster;
  bool json = false;
  bool cancel = false;
  bool wait = true;
  int64_t timeout_s = 300;
  std::string node;
};

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A shard still holding a replica on the node, and why.
struct HeldShard {
  cluster::ShardRecord record;
  std::string reason;
};

std::string WhyStillHeld(const cluster::ShardLeadership& l, const std::string& node,
                         const std::vector<cluster::NodeStatus>& nodes) {
  if (!Contains(l.removing, node)) {
    for (const cluster::NodeStatus& n : nodes) {
      if (n.alive && !n.decommissioned && !Contains(l.replicas, n.info.id)) {
        return "no replacement added yet (the controller adds one on " + n.info.id + " or another live node)";
      }
    }
    return "no live node that is not decommissioned and not already a replica to move it to";
  }
  std::vector<std::string> behind;
  for (const std::string& r : l.replicas) {
    if (!Contains(l.removing, r) && !Contains(l.isr, r)) behind.push_back(r);
  }
  if (behind.empty()) return "in sync elsewhere; the controller drops it next";
  if (l.leaderless()) return "no leader (no in-sync replica is live) for " + JoinNames(behind) + " to catch up from";
  return "waiting for " + JoinNames(behind) + " to catch up and join the ISR";
}

std::vector<HeldShard> ShardsHeldBy(const std::string& node, const std::vector<cluster::ShardRecord>& shards,
                                    const std::vector<cluster::NodeStatus>& nodes) {
  std::vector<HeldShard> out;
  for (const cluster::ShardRecord& r : shards) {
    if (Contains(r.leadership.replicas, node)) out.push_back({r, WhyStillHeld(r.leadership, node, nodes)});
  }
  return out;
}

std::string DescribeHeld(const std::vector<HeldShard>& held) {
  std::string out = std::to_string(held.size()) + " shard(s) still hold a replica there:";
  for (const HeldShard& h : held) {
    out += "\n  " + h.record.id.stream + " " + cluster::ShardName(h.record.id.shard_index) + " replicas " +
           JoinNames(h.record.leadership.replicas) + " isr " + JoinNames(h.record.leadership.isr) + ": " + h.reason;
  }
  return out;
}

std::string DecommissionJson(const std::string& node, bool marked, bool done, const std::vector<HeldShard>& held) {
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Member("node", node);
  w.MemberBool("decommissioned", marked);
  w.MemberBool("done", done);
  w.Key("remaining");
  w.BeginArray();
  for (const HeldShard& h : held) {
    w.BeginObject();
    w.Member("stream", h.record.id.stream);
    w.Member("shard", cluster::ShardName(h.record.id.shard_index));
    cluster::WriteShardLeadershipMembers(w, h.record.leadership);
    w.Member("reason", h.reason);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

// Polls the shard records until none names the node, or --no-wait, or the deadline.
int WaitUntilNoShardNames(cluster::EtcdClient& etcd, const DecommissionFlags& flags) {
  const std::string& node = flags.node;
  const int64_t deadline = MonotonicMillis() + flags.timeout_s * 1000;
  std::string last_progress;
  while (true) {
    Result<std::vector<cluster::ShardRecord>> shards = cluster::ListShardRecords(etcd);
    if (!shards.ok()) return SayEtcdError("decommission", shards.status());
    Result<std::vector<cluster::NodeStatus>> nodes = cluster::ListNodes(etcd);
    if (!nodes.ok()) return SayEtcdError("decommission", nodes.status());
    const std::vector<HeldShard> held = ShardsHeldBy(node, *shards, *nodes);
    if (held.empty() || !flags.wait) {
      if (flags.json) {
        std::cout << DecommissionJson(node, true, held.empty(), held) << "\n";
      } else if (held.empty()) {
        std::cout << "node " << node << " holds no replicas: it can be stopped\n";
      } else {
        std::cout << DescribeHeld(held) << "\n";
      }
      return kExitOk;
    }
    if (MonotonicMillis() >= deadline) {
      if (flags.json) std::cout << DecommissionJson(node, true, false, held) << "\n";
      std::cerr << "sluice cluster decommission: timed out after " << flags.timeout_s << " s; " << DescribeHeld(held)
                << "\n";
      return kExitServerError;
    }
    if (const std::string progress = DescribeHeld(held); progress != last_progress && !flags.json) {
      std::cout << progress << "\n" << std::flush;
      last_progress = progress;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::clamp<int64_t>(deadline - MonotonicMillis(), 1, 500)));
  }
}

int RunDecommission(const DecommissionFlags& flags) {
  std::unique_ptr<cluster::EtcdClient> etcd = ConnectOrSay("decommission", flags.cluster);
  if (!etcd) return kExitUsage;
  const std::string& node = flags.node;
  Result<std::vector<cluster::NodeStatus>> nodes = cluster::ListNodes(*etcd);
  if (!nodes.ok()) return SayEtcdError("decommission", nodes.status());
  if (std::none_of(nodes->begin(), nodes->end(), [&](const cluster::NodeStatus& n) { return n.info.id == node; })) {
    std::cerr << "sluice cluster decommission: no node with id '" << node
              << "' ever registered in the cluster (`sluice cluster status` lists them)\n";
    return kExitUsage;
  }
  if (flags.cancel) {
    if (Status s = cluster::CancelDecommission(*etcd, node); !s.ok()) return SayEtcdError("decommission", s);
    if (flags.json) {
      std::cout << DecommissionJson(node, false, true, {}) << "\n";
    } else {
      std::cout << "node " << node << " is no longer decommissioned: it may get replicas again\n";
    }
    return kExitOk;
  }
  if (Status s = cluster::MarkDecommissioned(*etcd, node, SystemClock::Instance().NowMillis()); !s.ok()) {
    if (s.code() == ErrorCode::kResourceNotFound) {
      std::cerr << "sluice cluster decommission: " << s.message() << "\n";
      return kExitUsage;
    }
    return SayEtcdError("decommission", s);
  }
  if (!flags.json) std::cout << "node " << node << " is decommissioned: the controller moves its replicas away\n";
  return WaitUntilNoShardNames(*etcd, flags);
}
}  // namespace

std::vector<ClientCommand> AddClusterCommands(CLI::App& app) {
  CLI::App* cluster = app.add_subcommand("cluster", "Show or change the nodes of a cluster (etcd)");
  cluster->require_subcommand(1);
  auto flags = std::make_shared<StatusFlags>();
  CLI::App* status = cluster->add_subcommand(
      "status", "List the cluster's nodes (addresses, health) and shards (leader, replicas, ISR)");
  status->add_option("--cluster", flags->cluster, "The cluster's etcd: etcd://HOST:PORT[,HOST:PORT...]")
      ->envname("SLUICE_CLUSTER");
  status->add_option("--stream", flags->stream,
                     "Only the shards of streams with this name (the summary counts only those)");
  status->add_flag(
      "--json", flags->json,
      "One JSON document: {\"nodes\":[{id, advertise, alive, decommissioned, started_ms, version}], "
      "\"shards\":[{account, region, stream, stream_creation_ms, shard, state, leader, leader_epoch, replicas, "
      "isr}], \"summary\":{nodes_alive, nodes_total, shards, in-sync, under-replicated, leaderless, unassigned}}");

  auto decom = std::make_shared<DecommissionFlags>();
  CLI::App* decommission = cluster->add_subcommand(
      "decommission", "Move every replica off a node before it leaves, and wait until it holds none");
  decommission->add_option("node", decom->node, "The node's id")->required();
  decommission->add_option("--cluster", decom->cluster, "The cluster's etcd: etcd://HOST:PORT[,HOST:PORT...]")
      ->envname("SLUICE_CLUSTER");
  decommission->add_flag("--cancel", decom->cancel, "Remove the mark: the node may get replicas again");
  decommission->add_flag("--wait,!--no-wait", decom->wait,
                         "Wait until no shard has a replica on the node (the default)");
  decommission->add_option("--timeout", decom->timeout_s, "Seconds to wait before giving up (exit 1)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  decommission->add_flag("--json", decom->json,
                         "One JSON document at the end: {node, decommissioned, done, remaining:[{stream, shard, "
                         "leader, leader_epoch, replicas, isr, reason}]}");
  return {{status, [flags] { return RunStatus(*flags); }}, {decommission, [decom] { return RunDecommission(*decom); }}};
}

}  // namespace sluice::cli
