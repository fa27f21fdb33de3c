// `sluice cluster ...`: the cluster as etcd records it (docs/cluster.md).
//
//   sluice cluster status [--json] [--stream NAME] [--cluster etcd://HOST:PORT[,...]]
//
// prints a summary line (nodes alive of all, shards by state), then every
// node that ever registered: id, advertised address, health (alive while its
// registration's lease is renewed), version and start; then every shard
// (or only `--stream`'s): state, leader, epoch, replicas, in-sync replicas,
// leaderless and under-replicated shards first (cluster/cluster_status.h).
// Exit codes as the client commands': 0, 2 bad usage, 3 etcd unreachable.
#pragma once

#include <vector>

#include "cli/client_commands.h"

namespace sluice::cli {

std::vector<ClientCommand> AddClusterCommands(CLI::App& app);

}  // namespace sluice::cli
