// Entry point of the `sluice` binary: dispatches to sub-commands.
#include "cli/commands.h"

int main(int argc, char** argv) { return sluice::cli::Main(argc, argv); }
