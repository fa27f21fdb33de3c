#include "cli/cluster_commands.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <set>
#include <string>

#include "cli/output.h"
#include "cluster/cluster_status.h"
#include "cluster/etcd_client.h"
#include "cluster/node_registry.h"
#include "cluster/shard_leadership.h"

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
    rows.push_back(
        {n.info.id, n.info.advertise, n.alive ? "alive" : "down", FormatTime(n.info.started_ms), n.info.version});
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

}  // namespace

std::vector<ClientCommand> AddClusterCommands(CLI::App& app) {
  CLI::App* cluster = app.add_subcommand("cluster", "Show the nodes of a cluster (etcd)");
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
      "One JSON document: {\"nodes\":[{id, advertise, alive, started_ms, version}], \"shards\":[{account, "
      "region, stream, stream_creation_ms, shard, state, leader, leader_epoch, replicas, isr}], "
      "\"summary\":{nodes_alive, nodes_total, shards, in-sync, under-replicated, leaderless, unassigned}}");
  return {{status, [flags] { return RunStatus(*flags); }}};
}

}  // namespace sluice::cli
