// The `sluice` command line: sub-commands and their entry points.
#pragma once

namespace sluice::cli {

// Parses argv and runs the chosen sub-command; returns the process exit code
// (0 success, 1 runtime failure or an error answered by the server, 2 bad
// usage, 3 a server that cannot be reached; see cli/client_commands.h).
int Main(int argc, char** argv);

}  // namespace sluice::cli
