// The `sluice` command line: sub-commands and their entry points.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace sluice::cli {

// Parses argv and runs the chosen sub-command; returns the process exit code
// (0 success, 1 runtime failure or an error answered by the server, 2 bad
// usage, 3 a server that cannot be reached; see cli/client_commands.h).
int Main(int argc, char** argv);

// For arguments that failed to parse: the first word (not a flag) where a
// sub-command of `app` was expected but none has that name, as "unknown
// command 'craete'; did you mean 'create'?" (or, when no name is close, the
// names there are). nullopt when every word names a sub-command or the
// mistake lies elsewhere. `args` excludes the program name.
std::optional<std::string> UnknownCommandMessage(CLI::App& app, const std::vector<std::string>& args);

// `sluice bench`'s arguments with the endpoint of the environment added
// ($SLUICE_ENDPOINT, $AWS_ENDPOINT_URL_KINESIS, $AWS_ENDPOINT_URL, as the
// client commands read it) when they give no --endpoint.
std::vector<std::string> BenchArgsWithEndpoint(std::vector<std::string> args);

}  // namespace sluice::cli
