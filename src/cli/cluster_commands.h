// `sluice cluster ...`: the cluster as etcd records it (docs/cluster.md).
//
//   sluice cluster status [--json] [--cluster etcd://HOST:PORT[,...]]
//
// lists every node that ever registered: id, advertised address, health
// (alive while its registration's lease is renewed), version and start.
// Exit codes as the client commands': 0, 2 bad usage, 3 etcd unreachable.
#pragma once

#include <vector>

#include "cli/client_commands.h"

namespace sluice::cli {

std::vector<ClientCommand> AddClusterCommands(CLI::App& app);

}  // namespace sluice::cli
