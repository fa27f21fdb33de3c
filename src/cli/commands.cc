#include "cli/commands.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <vector>

#include "bench/bench.h"
#include "cli/bench_seed.h"
#include "cli/client_commands.h"
#include "cli/completion.h"
#include "cli/config_file.h"
#include "cli/serve_config.h"
#include "cli/version.h"

namespace sluice::cli {

int Main(int argc, char** argv) {
  // `sluice bench seed ...` is the client library's report (cli/bench_seed.h).
  if (argc >= 3 && std::string_view(argv[1]) == "bench" && std::string_view(argv[2]) == "seed") {
    return RunBenchSeed(argc - 2, argv + 2);
  }
  // `sluice bench ...` hands its arguments to the benchmark as they are.
  if (argc >= 2 && std::string_view(argv[1]) == "bench") return bench::RunBench(argc - 1, argv + 1);

  CLI::App app{"Sluice: a streaming data server that speaks the Amazon Kinesis Data Streams API"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(VersionLine()));

  ServeConfig serve_config;
  CLI::App* serve = app.add_subcommand("serve", "Start the server");
  AddServeFlags(*serve, serve_config);

  app.add_subcommand("bench", "Run the benchmark (sluice bench --help)");
  const std::vector<ClientCommand> client_commands = AddClientCommands(app);
  CLI::App* version = app.add_subcommand("version", "Print the version and build (as --version)");
  // Hidden (no group): the build runs it to make the installed completion files.
  std::string shell;
  CLI::App* completion = app.add_subcommand("completion", "Print a shell completion script")->group("");
  completion->add_option("shell", shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  if (version->parsed()) {
    std::cout << VersionLine() << "\n";
    return 0;
  }
  if (completion->parsed()) {
    std::cout << (shell == "bash" ? BashCompletion(app) : ZshCompletion(app));
    return 0;
  }
  if (serve->parsed()) {
    if (!serve_config.config_file.empty()) {
      Status applied = ApplyConfigFile(*serve, serve_config.config_file);
      if (!applied.ok()) {
        std::cerr << "sluice serve: " << applied.message() << "\n";
        return kExitUsage;
      }
    }
    return RunServe(serve_config);
  }
  for (const ClientCommand& c : client_commands) {
    if (c.app->parsed()) return c.run();
  }
  return kExitUsage;
}

}  // namespace sluice::cli
