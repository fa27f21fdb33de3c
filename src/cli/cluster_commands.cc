#include "cli/cluster_commands.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>

#include "cli/output.h"
#include "cluster/etcd_client.h"
#include "cluster/node_registry.h"
#include "cluster/shard_leadership.h"
#include "protocol/json_writer.h"

namespace sluice::cli {
namespace {

struct StatusFlags {
  std::string cluster;
  bool json = false;
};

// Leaderless shards first, then under-replicated ones, then the rest; by id within each.
void SortForAttention(std::vector<cluster::ShardRecord>& shards) {
  const auto rank = [](const cluster::ShardLeadership& l) { return l.leaderless() ? 0 : l.under_replicated() ? 1 : 2; };
  std::stable_sort(shards.begin(), shards.end(), [&](const cluster::ShardRecord& a, const cluster::ShardRecord& b) {
    return std::pair(rank(a.leadership), a.id) < std::pair(rank(b.leadership), b.id);
  });
}

const char* ShardState(const cluster::ShardLeadership& l) {
  if (!l.assigned()) return "unassigned";
  if (l.leaderless()) return "leaderless";
  return l.under_replicated() ? "under-replicated" : "in-sync";
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out.empty() ? "-" : out;
}

std::string StatusJson(const std::vector<cluster::NodeStatus>& nodes, const std::vector<cluster::ShardRecord>& shards) {
  std::string out;
  protocol::JsonWriter w(&out);
  w.BeginObject();
  w.Key("nodes");
  w.BeginArray();
  for (const cluster::NodeStatus& n : nodes) {
    w.BeginObject();
    w.Member("id", n.info.id);
    w.Member("advertise", n.info.advertise);
    w.MemberBool("alive", n.alive);
    w.MemberInt("started_ms", n.info.started_ms);
    w.Member("version", n.info.version);
    w.EndObject();
  }
  w.EndArray();
  w.Key("shards");
  w.BeginArray();
  for (const cluster::ShardRecord& r : shards) {
    w.BeginObject();
    w.Member("account", r.id.account);
    w.Member("region", r.id.region);
    w.Member("stream", r.id.stream);
    w.MemberInt("stream_creation_ms", r.id.creation_ms);
    w.Member("shard", cluster::ShardName(r.id.shard_index));
    w.Member("state", ShardState(r.leadership));
    cluster::WriteShardLeadershipMembers(w, r.leadership);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return out;
}

int RunStatus(const StatusFlags& flags) {
  if (flags.cluster.empty()) {
    std::cerr << "sluice cluster status: give --cluster etcd://HOST:PORT (or SLUICE_CLUSTER)\n";
    return kExitUsage;
  }
  Result<std::vector<std::string>> endpoints = cluster::ParseClusterUrl(flags.cluster);
  if (!endpoints.ok()) {
    std::cerr << "sluice cluster status: " << endpoints.status().message() << "\n";
    return kExitUsage;
  }
  cluster::EtcdOptions options;
  options.endpoints = std::move(endpoints).value();
  Result<std::unique_ptr<cluster::EtcdClient>> etcd = cluster::EtcdClient::Create(std::move(options));
  if (!etcd.ok()) {
    std::cerr << "sluice cluster status: " << etcd.status().message() << "\n";
    return kExitUsage;
  }
  Result<std::vector<cluster::NodeStatus>> nodes = cluster::ListNodes(**etcd);
  if (!nodes.ok()) {
    std::cerr << "sluice cluster status: " << nodes.status().ToString() << "\n";
    return nodes.status().code() == ErrorCode::kTimedOut ? kExitUnreachable : kExitServerError;
  }
  Result<std::vector<cluster::ShardRecord>> shards = cluster::ListShardRecords(**etcd);
  if (!shards.ok()) {
    std::cerr << "sluice cluster status: " << shards.status().ToString() << "\n";
    return shards.status().code() == ErrorCode::kTimedOut ? kExitUnreachable : kExitServerError;
  }
  SortForAttention(*shards);
  if (flags.json) {
    std::cout << StatusJson(*nodes, *shards) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const cluster::NodeStatus& n : *nodes) {
    rows.push_back(
        {n.info.id, n.info.advertise, n.alive ? "alive" : "down", FormatTime(n.info.started_ms), n.info.version});
  }
  std::cout << FormatTable({"NODE", "ADDRESS", "HEALTH", "STARTED", "VERSION"}, rows);
  if (shards->empty()) return kExitOk;
  rows.clear();
  for (const cluster::ShardRecord& r : *shards) {
    const cluster::ShardLeadership& l = r.leadership;
    rows.push_back({r.id.stream, cluster::ShardName(r.id.shard_index), ShardState(l), l.leader.empty() ? "-" : l.leader,
                    std::to_string(l.leader_epoch), JoinNames(l.replicas), JoinNames(l.isr)});
  }
  std::cout << "\n" << FormatTable({"STREAM", "SHARD", "STATE", "LEADER", "EPOCH", "REPLICAS", "ISR"}, rows);
  return kExitOk;
}

}  // namespace

std::vector<ClientCommand> AddClusterCommands(CLI::App& app) {
  CLI::App* cluster = app.add_subcommand("cluster", "Show the nodes of a cluster (etcd)");
  cluster->require_subcommand(1);
  auto flags = std::make_shared<StatusFlags>();
  CLI::App* status = cluster->add_subcommand(
      "status", "List the cluster's nodes (addresses, health) and shards (leader, replicas, ISR)");
  status->add_option("--cluster", flags->cluster, "The cluster's etcd: etcd://HOST:PORT[,HOST:PORT...]")
      ->envname("SLUICE_CLUSTER");
  status->add_flag("--json", flags->json,
                   "One JSON document: {\"nodes\":[{id, advertise, alive, started_ms, version}], \"shards\":[{account, "
                   "region, stream, stream_creation_ms, shard, state, leader, leader_epoch, replicas, isr}]}");
  return {{status, [flags] { return RunStatus(*flags); }}};
}

}  // namespace sluice::cli
