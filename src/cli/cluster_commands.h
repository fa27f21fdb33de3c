// `sluice cluster ...`: the cluster as etcd records it (docs/cluster.md).
//
//   sluice cluster status [--json] [--stream NAME] [--cluster etcd://HOST:PORT[,...]]
//   sluice cluster decommission [--cancel] [--no-wait] [--timeout S] [--json] NODE
//
// `status` prints a summary line (nodes alive of all, shards by state), then
// every node that ever registered: id, advertised address, health (alive
// while its registration's lease is renewed; decommissioned when marked),
// version and start; then every shard (or only `--stream`'s): state, leader,
// epoch, replicas, in-sync replicas, leaderless and under-replicated shards
// first (cluster/cluster_status.h). `decommission` marks a node for removal
// (the controller moves its replicas, leadership_plan.h) and waits until no
// shard record names it, printing the shards still held and why.
// Exit codes as the client commands': 0, 1 timed out, 2 bad usage (a node
// id that never registered), 3 etcd unreachable.
#pragma once

#include <vector>

#include "cli/client_commands.h"

namespace sluice::cli {

std::vector<ClientCommand> AddClusterCommands(CLI::App& app);

}  // namespace sluice::cli
