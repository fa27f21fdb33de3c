// Shell completion for `sluice`, generated from the command tree itself
// (`sluice completion bash|zsh`), so it cannot drift from the flags.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace sluice::cli {

// A bash script defining and registering `_sluice` (complete -F): sub-commands
// at each level, `--flags` of the chosen sub-command, and file names after a
// flag that takes a value. For share/bash-completion/completions/sluice.
std::string BashCompletion(const CLI::App& app);

// The same for zsh (`#compdef sluice`), for share/zsh/site-functions/_sluice.
std::string ZshCompletion(const CLI::App& app);

}  // namespace sluice::cli
