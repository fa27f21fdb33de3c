#include "cli/cluster_commands.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>
#include <string>

#include "cli/output.h"
#include "cluster/etcd_client.h"
#include "cluster/node_registry.h"
#include "protocol/json_writer.h"

namespace sluice::cli {
namespace {

struct StatusFlags {
  std::string cluster;
  bool json = false;
};

std::string StatusJson(const std::vector<cluster::NodeStatus>& nodes) {
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
  if (flags.json) {
    std::cout << StatusJson(*nodes) << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const cluster::NodeStatus& n : *nodes) {
    rows.push_back(
        {n.info.id, n.info.advertise, n.alive ? "alive" : "down", FormatTime(n.info.started_ms), n.info.version});
  }
  std::cout << FormatTable({"NODE", "ADDRESS", "HEALTH", "STARTED", "VERSION"}, rows);
  return kExitOk;
}

}  // namespace

std::vector<ClientCommand> AddClusterCommands(CLI::App& app) {
  CLI::App* cluster = app.add_subcommand("cluster", "Show the nodes of a cluster (etcd)");
  cluster->require_subcommand(1);
  auto flags = std::make_shared<StatusFlags>();
  CLI::App* status = cluster->add_subcommand("status", "List the cluster's nodes, their addresses and health");
  status->add_option("--cluster", flags->cluster, "The cluster's etcd: etcd://HOST:PORT[,HOST:PORT...]")
      ->envname("SLUICE_CLUSTER");
  status->add_flag("--json", flags->json,
                   "One JSON document: {\"nodes\":[{id, advertise, alive, started_ms, version}]}");
  return {{status, [flags] { return RunStatus(*flags); }}};
}

}  // namespace sluice::cli
