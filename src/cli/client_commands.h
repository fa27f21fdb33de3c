// The sub-commands that talk to a server through the client library:
// `sluice stream ...`, `sluice put`, `sluice get`, `sluice tail`, and
// `sluice leases` (a KCL application's lease table, client/lease_table.h).
//
// Exit codes: 0 success; 1 the server answered with an error (printed as
// "<__type>: <message>"), or records failed; 2 bad usage; 3 the server could
// not be reached (connection refused, TLS, timeout).
#pragma once

#include <functional>
#include <vector>

namespace CLI {
class App;
}

namespace sluice::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitServerError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;

// Adds the sub-commands to `app`; after parsing, the one whose App was
// parsed is run through the returned list.
struct ClientCommand {
  CLI::App* app;
  std::function<int()> run;
};
std::vector<ClientCommand> AddClientCommands(CLI::App& app);

}  // namespace sluice::cli
