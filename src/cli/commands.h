// The `sluice` command line: sub-commands and their entry points.
#pragma once

namespace sluice::cli {

// Parses argv and runs the chosen sub-command; returns the process exit code
// (0 success, 1 runtime failure, 2 bad usage).
int Main(int argc, char** argv);

}  // namespace sluice::cli
