#include "cli/commands.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <string_view>
#include <vector>

#include "bench/bench.h"
#include "cli/bench_groups.h"
#include "cli/bench_seed.h"
#include "cli/client_commands.h"
#include "cli/cluster_commands.h"
#include "cli/completion.h"
#include "cli/config_file.h"
#include "cli/serve_config.h"
#include "cli/version.h"
#include "client/config.h"
#include "util/spelling.h"

namespace sluice::cli {

std::optional<std::string> UnknownCommandMessage(CLI::App& app, const std::vector<std::string>& args) {
  CLI::App* at = &app;
  for (const std::string& arg : args) {
    if (arg.empty() || arg[0] == '-') continue;
    std::vector<CLI::App*> subs = at->get_subcommands([](CLI::App*) { return true; });
    if (subs.empty()) return std::nullopt;  // a command's own argument: not ours to judge
    std::vector<std::string_view> names;
    CLI::App* next = nullptr;
    for (CLI::App* sub : subs) {
      names.push_back(sub->get_name());
      if (sub->get_name() == arg) next = sub;
    }
    if (next != nullptr) {
      at = next;
      continue;
    }
    if (std::optional<std::string> meant = ClosestName(arg, names)) {
      return "unknown command '" + arg + "'; did you mean '" + *meant + "'?";
    }
    std::string known;
    for (std::string_view n : names) known.append(known.empty() ? "" : ", ").append(n);
    return "unknown command '" + arg + "' (the commands here: " + known + ")";
  }
  return std::nullopt;
}

std::vector<std::string> BenchArgsWithEndpoint(std::vector<std::string> args) {
  for (const std::string& a : args) {
    if (a == "--endpoint" || a.rfind("--endpoint=", 0) == 0) return args;
  }
  const std::string endpoint = client::ClientConfig::FromEnvironment().endpoint;
  if (endpoint != client::ClientConfig{}.endpoint) args.insert(args.end(), {"--endpoint", endpoint});
  return args;
}

int Main(int argc, char** argv) {
  // `sluice bench seed ...` is the client library's report (cli/bench_seed.h).
  if (argc >= 3 && std::string_view(argv[1]) == "bench" && std::string_view(argv[2]) == "seed") {
    return RunBenchSeed(argc - 2, argv + 2);
  }
  // `sluice bench groups ...` is the consumer group's (cli/bench_groups.h).
  if (argc >= 3 && std::string_view(argv[1]) == "bench" && std::string_view(argv[2]) == "groups") {
    return RunBenchGroups(argc - 2, argv + 2);
  }
  // `sluice bench ...` hands its arguments to the benchmark as they are, and
  // the endpoint of the environment.
  if (argc >= 2 && std::string_view(argv[1]) == "bench") {
    std::vector<std::string> args = BenchArgsWithEndpoint(std::vector<std::string>(argv + 1, argv + argc));
    std::vector<char*> bench_argv;
    for (std::string& a : args) bench_argv.push_back(a.data());
    return bench::RunBench(static_cast<int>(bench_argv.size()), bench_argv.data());
  }

  CLI::App app{"Sluice: a streaming data server that speaks the Amazon Kinesis Data Streams API"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(VersionLine()));

  ServeConfig serve_config;
  CLI::App* serve = app.add_subcommand("serve", "Start the server");
  AddServeFlags(*serve, serve_config);

  app.add_subcommand("bench", "Run the benchmark (sluice bench --help)");
  std::vector<ClientCommand> client_commands = AddClientCommands(app);
  for (ClientCommand& c : AddClusterCommands(app)) client_commands.push_back(std::move(c));
  CLI::App* version = app.add_subcommand("version", "Print the version and build (as --version)");
  // Hidden (no group): the build runs it to make the installed completion files.
  std::string shell;
  CLI::App* completion = app.add_subcommand("completion", "Print a shell completion script")->group("");
  completion->add_option("shell", shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0) {
      if (std::optional<std::string> unknown =
              UnknownCommandMessage(app, std::vector<std::string>(argv + 1, argv + argc))) {
        std::fprintf(stderr, "sluice: %s\n", unknown->c_str());
        return kExitUsage;
      }
    }
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
